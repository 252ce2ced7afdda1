"""ESC/POS printing: documents, rendering, a decoder, transports and a fake network printer.

This package is a leaf: it imports nothing from ``pos_service``; the server imports it.
"""
