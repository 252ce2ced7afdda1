"""Staff of a venue: people, roles and PINs."""
