"""The browser fixtures of the page tests, for the one page test of this package."""

from tests.pages.conftest import browser, new_device

__all__ = ["browser", "new_device"]
