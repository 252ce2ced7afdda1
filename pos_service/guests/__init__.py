"""Guest profiles, their checks and their loyalty points.

This package sits below ``reservations`` and ``payments`` (both use it): reservations
remember the guests who book, payments credit and redeem their points. The guest book's
API (profile, history, export, erasure) is served by ``reservations``, which also holds
the copies of a guest's contact data on bookings and waitlist entries.
"""
