"""Outgoing webhooks and the accounting export: what leaves the venue for other systems.

Depends on ``core`` (the event log, the journal) and ``reports`` (closed days).
"""
