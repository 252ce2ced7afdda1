"""Ordering at the table by QR code: the table tent's signed link, the menu a guest
orders from, and the venue's guest-facing settings (docs/guests.md)."""
