"""The floor: areas and tables with their live state."""
