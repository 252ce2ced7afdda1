"""The character code pages a printer can be set to, and how text is encoded for them.

The ESC/POS table number (sent as ``ESC t n``) is Epson's numbering as python-escpos's
printer database has it, and the byte encoding is Python's codec of the same name. The
few pages supported are written out here: loading that database parses a large YAML
file (half a second of every process start); a test holds the two in agreement.
Characters a page cannot hold print as ``?``.

============  =======  ==========================================
name          ESC t n  covers
============  =======  ==========================================
CP437         0        US English, box drawing; no €
CP850         2        Western Europe; no €
CP852         18       Central Europe (Latin-2, DOS)
CP858         19       CP850 with € (the default)
CP866         17       Cyrillic (DOS)
CP1252        16       Western Europe (Windows), €
ISO_8859-2    39       Central Europe (Latin-2)
ISO_8859-15   40       Western Europe (Latin-9), €
============  =======  ==========================================
"""

from __future__ import annotations

import msgspec


class CodePage(msgspec.Struct, frozen=True):
    """One code page: its ESC/POS table number and its Python codec."""

    name: str
    table: int
    codec: str


CODE_PAGES: dict[str, CodePage] = {
    page.name: page
    for page in (
        CodePage("CP437", 0, "cp437"),
        CodePage("CP850", 2, "cp850"),
        CodePage("CP852", 18, "cp852"),
        CodePage("CP858", 19, "cp858"),
        CodePage("CP866", 17, "cp866"),
        CodePage("CP1252", 16, "cp1252"),
        CodePage("ISO_8859-2", 39, "iso8859_2"),
        CodePage("ISO_8859-15", 40, "iso8859-15"),
    )
}
SUPPORTED = tuple(CODE_PAGES)
BY_TABLE: dict[int, CodePage] = {page.table: page for page in CODE_PAGES.values()}


def find_code_page(name: str) -> CodePage:
    """Return the code page called ``name``; ``ValueError`` names the supported ones."""
    try:
        return CODE_PAGES[name.upper()]
    except KeyError:
        raise ValueError(
            f"unsupported code page {name!r}; supported: {', '.join(SUPPORTED)}"
        ) from None
