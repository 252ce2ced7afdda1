"""The live server with fake printers of tests/printing, for the drawer pulse tests."""

from tests.printing.conftest import live, printing

__all__ = ["live", "printing"]
