"""The menu: stations, categories, items and their modifier groups."""
