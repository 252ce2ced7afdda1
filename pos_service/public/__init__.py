"""What the public pages (ordering at the table, booking; no sign-in) share: the venue's
guest-facing settings (``settings``) and the request guard of a public route (``guard``)."""
