"""pos_service: a hospitality point-of-service server."""

__version__ = "0.1.0"
