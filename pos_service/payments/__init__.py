"""Bills, splits and payments."""
