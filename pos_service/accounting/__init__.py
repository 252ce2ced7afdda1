"""Ledger accounts set by the owner, and the daily journal entry an accountant imports."""
