"""Checks and their lines: what a table ordered."""
