"""Cash drawers: sessions from an opening float to a blind count, paid in and out, "no
sale" opens, and the drawer pulse sent through the print queue. See docs/drawers.md."""
