"""What the public pages (ordering at the table, takeaway, booking; no sign-in) share: the
venue's guest-facing settings (``settings``), the request guard of a public route
(``guard``), and finding a venue by its slug with the request charged to the public rate
limits (``venue``)."""
