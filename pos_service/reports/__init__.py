"""End of day: X reports at any time, Z reports that close the business day."""
