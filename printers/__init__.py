"""ESC/POS printing: documents, rendering, a decoder, transports and a fake network printer.

This package is a leaf: it imports nothing from ``pos_service``, except that the print
agent (``printers.agent``) uses ``pos_service.client``; the server imports it.
"""
