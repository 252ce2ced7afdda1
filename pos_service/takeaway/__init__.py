"""Takeaway and pickup: orders without a table, fired by prep time, the pickup screen."""
