"""Printing: printers of a venue, the durable print queue, its dispatcher and the agent API.

The kitchen calls :func:`pos_service.printing.service.enqueue_ticket` (and
``enqueue_void``) in the transaction of its send; see docs/printing.md.
"""
