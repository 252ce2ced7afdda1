"""Reservations, the waitlist and guest profiles of the host stand."""
