"""Extract the texts to translate and bring the catalogs up to date (``python3 dev.py
i18n``, or ``python -m pos_service.i18n.extract``).

- domain ``messages``: ``pos_service/**.py`` (``gettext(language, "...")``,
  ``ngettext(language, "...", "...", n)``, the marker ``N_("...")`` and the detail of an
  error, ``Invalid("...")``, ``Conflict("...")`` ... (:data:`ERROR_KEYWORDS`)),
  ``web/templates/**.html`` (``{{ _("...") }}``), and the printed documents:
  ``printers/**.py`` (``N_``) and ``printers/templates/**.j2`` (``_``, ``ngettext``);
- domain ``pages``: ``web/static/**.js`` (``t("...")`` in pos.js, ``POS.t("...")``
  elsewhere; ``tn``/``POS.tn`` for plurals).

Each language's ``.po`` keeps its translations; new texts arrive untranslated, texts no
longer in the code are dropped (so a test can tell what is missing).
"""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import write_po

from pos_service.i18n import LANGUAGES, SOURCE, catalog_path, read_catalog

ROOT = Path(__file__).resolve().parents[2]
# fixed header dates, so that extracting again changes a catalog only where a text did
_DATE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
_NAMES = {"nl": "Dutch", "de": "German"}

ERROR_KEYWORDS: dict[str, object] = {
    name: None
    for name in (
        "DomainError",
        "Invalid",
        "NotFound",
        "Conflict",
        "Gone",
        "Forbidden",
        "Unauthorized",
        "TooManyAttempts",
        "UnsupportedMediaType",
        "Reason",
    )
}
"""The errors of ``pos_service.core.errors`` (and its ``Reason``): their first argument,
the detail, is a text."""

SOURCES: dict[str, tuple[tuple[str, str, dict[str, object]], ...]] = {
    "messages": (
        (
            "pos_service",
            "python",
            {"gettext": (2,), "ngettext": (2, 3), "N_": None, **ERROR_KEYWORDS},
        ),
        ("web/templates", "jinja2.ext:babel_extract", {"_": None}),
        ("printers", "python", {"N_": None}),
        ("printers/templates", "jinja2.ext:babel_extract", {"_": None, "ngettext": (1, 2)}),
    ),
    "pages": (
        (
            "web/static",
            "javascript",
            {"t": None, "POS.t": None, "tn": (1, 2), "POS.tn": (1, 2)},
        ),
    ),
}
_PATTERNS = {"python": "**.py", "javascript": "**.js"}


def _pattern(folder: str, method: str) -> str:
    if method.startswith("jinja2"):
        return "**.j2" if folder.startswith("printers") else "**.html"
    return _PATTERNS[method]


def template(domain: str) -> Catalog:
    """Every text of a domain as the code has it now (the ``.pot`` in memory)."""
    catalog = Catalog(domain=domain, project="pos_service", charset="utf-8")
    for folder, method, keywords in SOURCES[domain]:
        pattern = _pattern(folder, method)
        found = extract_from_dir(
            ROOT / folder,
            method_map=[(pattern, method)],
            options_map=(
                {pattern: {"dotted": "true", "parse_template_string": "true"}}
                if method == "javascript"
                else {}
            ),
            keywords=keywords,  # type: ignore[arg-type]
            comment_tags=("Translators:",),
        )
        for filename, lineno, message, comments, context in found:
            catalog.add(
                message,
                locations=[(f"{folder}/{filename}", lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def update() -> list[Path]:
    """Update every language's catalogs from the code; the files written."""
    written: list[Path] = []
    for domain in SOURCES:
        pot = template(domain)
        for language in LANGUAGES:
            if language == SOURCE:
                continue
            catalog = read_catalog(language, domain)
            catalog.update(pot, no_fuzzy_matching=True)
            catalog.obsolete.clear()
            catalog.project, catalog.version = "pos_service", "1"
            catalog.creation_date = catalog.revision_date = _DATE
            catalog.fuzzy = False
            catalog.header_comment = (
                f"# pos_service: {_NAMES[language]} texts of the {domain} domain.\n"
                "# Updated by `python3 dev.py i18n`; translate the empty msgstr entries."
            )
            path = catalog_path(language, domain)
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fp:
                write_po(fp, catalog, width=100, include_lineno=False, sort_output=True)
            written.append(path)
    return written


def main() -> None:
    for path in update():
        print(path.relative_to(ROOT))
    sys.exit(0)


if __name__ == "__main__":
    main()
