"""Load and latency benchmarks of pos_service; `python -m bench run` writes BENCHMARKS.md.

See bench/README.md. The harness starts its own embedded PostgreSQL under
``var/bench-postgres`` and the real server (``pos-service serve --workers N``), and drives
it over loopback with simulated handhelds and screens running in separate processes.
"""
