"""Hospitality point-of-service server."""
