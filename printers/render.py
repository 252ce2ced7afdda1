"""Render documents to ESC/POS bytes: Jinja2 lays out the text, then styles become commands.

Templates (``printers/templates/*.txt.j2``) write one printed line per template line,
as ``FLAGS|text``. Flags: ``W`` big (double width and height), ``B`` bold, ``I``
inverted, ``C`` centred, ``A`` alert (red on a two-colour printer, else inverted; bold;
sounds the buzzer when the printer has one), ``Q`` a QR code of the text. ``{{ RIGHT }}``
splits a line into a left part and a right-aligned part. Every value a template prints
has its control characters replaced by spaces, so data can neither break lines nor
smuggle printer commands. The renderer wraps each line to the printer's columns (half of
them for big text) and encodes it with the profile's code page (see ``codepages``).

Commands come from python-escpos's constants, emitted directly (QR codes too, as
python-escpos's ``qr(native=True)`` writes them): a whole ticket takes near 100
microseconds, where ``Dummy.text`` alone (a code-page search per character) costs
several times that, and importing ``escpos.printer`` parses the printer database (half a
second of every process start).
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import jinja2
from babel.dates import format_datetime
from escpos.constants import (
    BUZZER,
    CODEPAGE_CHANGE,
    CTL_LF,
    ESC,
    GS,
    HW_INIT,
    PAPER_FULL_CUT,
    TXT_SIZE,
    TXT_STYLE,
)

from pos_service import i18n
from pos_service.core.allergens import NAMES as ALLERGENS
from printers.codepages import find_code_page
from printers.documents import (
    DrawerPulse,
    KitchenTicket,
    PreBill,
    PrinterProfile,
    Receipt,
    TicketItem,
    format_money,
    format_rate,
)


class _Verbatim(str):
    """Template text that is passed through without cleaning."""


RIGHT = _Verbatim("\x1f")


def _clean(value: object) -> str:
    text = value if isinstance(value, str) else str(value)
    if isinstance(value, _Verbatim) or text.isprintable():
        return text
    return "".join(char if char.isprintable() else " " for char in text)


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader("printers", "templates"),
    autoescape=False,  # noqa: S701 - plain text for a printer, never HTML
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
    finalize=_clean,
)
_ENV.globals["RIGHT"] = RIGHT
_TICKET = _ENV.get_template("ticket.txt.j2")
_PREBILL = _ENV.get_template("prebill.txt.j2")
_RECEIPT = _ENV.get_template("receipt.txt.j2")


class _Style(NamedTuple):
    big: bool = False
    bold: bool = False
    invert: bool = False
    red: bool = False
    centre: bool = False


_PLAIN = _Style()
_FLAGS = frozenset("WBICAQ")
_BIG = {
    False: TXT_SIZE + bytes([TXT_STYLE["width"][1] | TXT_STYLE["height"][1]]),
    True: TXT_SIZE + bytes([TXT_STYLE["width"][2] | TXT_STYLE["height"][2]]),
}
_COLOUR = {False: TXT_STYLE["color"]["black"], True: TXT_STYLE["color"]["red"]}
_ALIGN = {False: TXT_STYLE["align"]["left"], True: TXT_STYLE["align"]["center"]}
_BUZZ = BUZZER + bytes([2, 3])
_CUT = ESC + b"d" + bytes([4]) + PAPER_FULL_CUT


@cache
def _style(flags: str, two_colour: bool) -> _Style:
    unknown = set(flags) - _FLAGS
    if unknown:
        raise ValueError(f"unknown template flags {sorted(unknown)} in {flags!r}")
    alert = "A" in flags
    return _Style(
        big="W" in flags,
        bold="B" in flags or alert,
        invert="I" in flags or (alert and not two_colour),
        red=alert and two_colour,
        centre="C" in flags or "Q" in flags,
    )


@cache
def _switch(old: _Style, new: _Style) -> bytes:
    commands = []
    if old.big != new.big:
        commands.append(_BIG[new.big])
    if old.bold != new.bold:
        commands.append(TXT_STYLE["bold"][new.bold])
    if old.invert != new.invert:
        commands.append(TXT_STYLE["invert"][new.invert])
    if old.red != new.red:
        commands.append(_COLOUR[new.red])
    if old.centre != new.centre:
        commands.append(_ALIGN[new.centre])
    return b"".join(commands)


def _wrap(text: str, cols: int) -> list[str]:
    """Greedy word wrap to ``cols``; continuation lines hang two columns in."""
    if len(text) <= cols:
        return [text]
    body = text.lstrip(" ")
    start = text[: len(text) - len(body)][: cols // 2]
    hang = " " * min(len(start) + 2, cols // 2)
    lines: list[str] = []
    line = start
    for word in body.split():
        if line.strip() and len(line) + 1 + len(word) <= cols:
            line += " " + word
            continue
        if line.strip():
            lines.append(line)
            line = hang
        while len(line) + len(word) > cols:
            room = cols - len(line)
            lines.append(line + word[:room])
            line, word = hang, word[room:]
        line += word
    lines.append(line)
    return lines


def _layout(text: str, cols: int) -> list[str]:
    left, split, right = text.partition(RIGHT)
    lines = _wrap(left, cols)
    if split:
        gap = cols - len(lines[-1]) - len(right)
        if gap > 0:
            lines[-1] += " " * gap + right
        else:
            lines.extend(_wrap(right.rjust(cols), cols))
    return lines


_QR_CODE: bytes = GS + b"(k"


def _qr_command(function: bytes, data: bytes) -> bytes:
    length = len(data) + 2
    return _QR_CODE + bytes([length & 0xFF, length >> 8]) + b"1" + function + data


def _qr(data: str) -> bytes:
    """A QR code printed by the printer: model 2, 6-dot modules, error correction L."""
    return b"".join(
        (
            _qr_command(b"A", b"2\x00"),
            _qr_command(b"C", bytes([6])),
            _qr_command(b"E", b"0"),
            _qr_command(b"P", b"0" + data.encode()),
            _qr_command(b"Q", b"0"),
        )
    )


def _escpos(markup: str, profile: PrinterProfile) -> bytes:
    page = find_code_page(profile.code_page)
    out = [HW_INIT, CODEPAGE_CHANGE + bytes([page.table])]
    state = _PLAIN
    alert = False
    for raw in markup.split("\n"):
        if not raw:
            continue
        flags, bar, text = raw.partition("|")
        if not bar:
            raise ValueError(f"template line without 'FLAGS|': {raw!r}")
        style = _style(flags, profile.two_colour)
        alert = alert or "A" in flags
        if style != state:
            out.append(_switch(state, style))
            state = style
        if "Q" in flags:
            out.append(_qr(text))
            continue
        for line in _layout(text, profile.width // 2 if style.big else profile.width):
            out.append(line.encode(page.codec, "replace"))
            out.append(CTL_LF)
    if alert and profile.buzzer:
        out.insert(2, _BUZZ)
    if profile.cut:
        out.append(_CUT)
    return b"".join(out)


def _courses(items: list[TicketItem]) -> list[tuple[str | None, list[TicketItem]]]:
    groups: dict[str | None, list[TicketItem]] = {}
    for item in items:
        groups.setdefault(item.course, []).append(item)
    return list(groups.items())


METHODS = {"cash": i18n.N_("cash"), "card": i18n.N_("card"), "gift_card": i18n.N_("gift card")}
"""How a payment method is printed, marked for the catalogs."""
_DATES = {"en": "yyyy-MM-dd HH:mm", "nl": "dd-MM-yyyy HH:mm", "de": "dd.MM.yyyy HH:mm"}


def _words(language: str) -> dict[str, Any]:
    """The template's texts in ``language``: ``_``, ``ngettext`` and allergen names."""

    def translate(message: str, **values: object) -> str:
        return i18n.gettext(language, message, **values)

    def plural(singular: str, plural: str, n: int, **values: object) -> str:
        return i18n.ngettext(language, singular, plural, n, **values)

    return {
        "_": translate,
        "ngettext": plural,
        "allergen": lambda code: translate(ALLERGENS[code]) if code in ALLERGENS else code,
    }


def render_ticket(
    ticket: KitchenTicket,
    profile: PrinterProfile,
    *,
    banner: str | None = None,
    reprint: int | None = None,
) -> bytes:
    """Render a kitchen ticket; ``banner`` (e.g. "BACKUP for Kitchen 1") and ``reprint`` head it."""
    markup = _TICKET.render(
        **_words(profile.language),
        t=ticket,
        banner=banner,
        reprint=reprint,
        courses=_courses(ticket.items),
        time=ticket.created_at.strftime("%H:%M"),
        rule="-" * profile.width,
    )
    return _escpos(markup, profile)


def bill_words(locale: str) -> dict[str, Any]:
    """A bill's texts in its venue's language: ``_``, ``ngettext``, ``allergen`` and
    ``method`` (a payment method's name), for the paper and the HTML receipt."""
    words = _words(i18n.language_of(locale))
    return {**words, "method": lambda code: words["_"](METHODS.get(code, code))}


def bill_when(bill: PreBill | Receipt) -> str:
    """When a bill was made, as the venue's language writes a date and time."""
    language = i18n.language_of(bill.locale)
    return format_datetime(bill.created_at, _DATES[language], locale=language)


def _bill_context(bill: PreBill | Receipt, profile: PrinterProfile) -> dict[str, Any]:
    return {
        **bill_words(bill.locale),
        "b": bill,
        "money": lambda minor: format_money(minor, bill.currency, bill.locale),
        "percent": lambda rate_ppm: format_rate(rate_ppm, bill.locale),
        "when": bill_when(bill),
        "rule": "-" * profile.width,
    }


def render_prebill(bill: PreBill, profile: PrinterProfile, *, reprint: int | None = None) -> bytes:
    """Render the bill brought to the table, with a pay-at-table QR code when it has one."""
    return _escpos(_PREBILL.render(reprint=reprint, **_bill_context(bill, profile)), profile)


def render_receipt(
    receipt: Receipt, profile: PrinterProfile, *, reprint: int | None = None
) -> bytes:
    """Render the receipt of a paid bill, with its payments, tips and change."""
    return _escpos(_RECEIPT.render(reprint=reprint, **_bill_context(receipt, profile)), profile)


def render_pulse(pulse: DrawerPulse) -> bytes:
    """The drawer kick: initialise, then ``ESC p m t1 t2`` (times in 2 ms units)."""
    kick = bytes([pulse.pin, pulse.on_ms // 2, pulse.off_ms // 2])
    return b"\x1b@\x1bp" + kick
