"""Venues: the restaurants a server carries, each with its currency, timezone and tax mode."""
