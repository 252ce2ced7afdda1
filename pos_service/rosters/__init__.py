"""Rosters: planned shifts per week, published to staff, and the waiters' sections."""
