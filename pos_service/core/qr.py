"""QR codes for links a guest scans (the check's guest link, a table tent's order link),
drawn on the server as SVG so pages and printouts need no script to make them."""

from __future__ import annotations

import io

import segno


def svg(data: str, *, scale: int = 6, title: str | None = None) -> str:
    """``data`` as a standalone SVG document (error correction M, dark on white, a
    quiet zone of four modules) that a page can show in an ``<img>``."""
    out = io.BytesIO()
    segno.make(data, error="m", micro=False).save(
        out,
        kind="svg",
        scale=scale,
        border=4,
        dark="#000",
        light="#fff",
        title=title,
        xmldecl=False,
        svgns=True,
        nl=False,
    )
    return out.getvalue().decode("utf-8")
