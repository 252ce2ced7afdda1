"""Promotions and day-part prices."""
