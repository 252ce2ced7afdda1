"""The character code pages a printer can be set to, and how text is encoded for them.

The ESC/POS table number (sent as ``ESC t n``) comes from python-escpos's printer
database (Epson numbering); the byte encoding is Python's codec of the same name.
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
from escpos.capabilities import CAPABILITIES, get_profile

SUPPORTED = ("CP437", "CP850", "CP852", "CP858", "CP866", "CP1252", "ISO_8859-2", "ISO_8859-15")


class CodePage(msgspec.Struct, frozen=True):
    """One code page: its ESC/POS table number and its Python codec."""

    name: str
    table: int
    codec: str


def _load() -> dict[str, CodePage]:
    tables = get_profile().get_code_pages()
    return {
        name: CodePage(name, int(tables[name]), CAPABILITIES["encodings"][name]["python_encode"])
        for name in SUPPORTED
    }


CODE_PAGES: dict[str, CodePage] = _load()
BY_TABLE: dict[int, CodePage] = {page.table: page for page in CODE_PAGES.values()}


def find_code_page(name: str) -> CodePage:
    """Return the code page called ``name``; ``ValueError`` names the supported ones."""
    try:
        return CODE_PAGES[name.upper()]
    except KeyError:
        raise ValueError(
            f"unsupported code page {name!r}; supported: {', '.join(SUPPORTED)}"
        ) from None
