"""Enrolled devices: pairing codes, device credentials, revocation."""
