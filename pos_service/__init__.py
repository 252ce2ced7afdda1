"""Restaurant point-of-service server."""
