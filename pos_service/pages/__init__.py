"""The pages people use (handheld, kitchen screen, host stand, guest, manager): HTML shells
rendered from ``web/templates`` whose scripts (``web/static``) talk to the API and ``/ws``."""
