"""Returns of closed checks (refund by line) and voids of unused sold gift cards."""
