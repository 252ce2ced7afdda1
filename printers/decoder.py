"""Read ESC/POS bytes back as a cook would see them: styled lines, cuts, buzzes.

``decode`` understands the commands the renderer emits (ESC @, ESC !, ESC E, ESC -,
ESC a, ESC r, ESC t, ESC B, ESC d, ESC p, GS !, GS B, GS V, GS ( k QR codes, DLE EOT, LF)
and steps over other commands by their known length, or over the command byte alone.
It never raises on malformed input. ``code_page`` is the printer's power-on table: ESC @
returns to it, ESC t switches away from it.
"""

from __future__ import annotations

from functools import cache
from typing import Literal

import msgspec

from printers.codepages import BY_TABLE, CodePage, find_code_page

Align = Literal["left", "center", "right"]
_ALIGN: dict[int, Align] = {0: "left", 1: "center", 2: "right"}

_ESC, _GS, _DLE, _LF = 0x1B, 0x1D, 0x10, 0x0A
# Argument bytes of commands that do not change what the decoder reports.
_ESC_ARGS = {
    ord(c): n
    for c, n in {"-": 1, "2": 0, "3": 1, "=": 1, "J": 1, "M": 1, "p": 3, "{": 1, "G": 1}.items()
}
_GS_ARGS = {ord(c): n for c, n in {"H": 1, "f": 1, "h": 1, "w": 1, "b": 1, "|": 1}.items()}


class Line(msgspec.Struct, frozen=True):
    """One printed line and the style it was printed in."""

    text: str
    bold: bool = False
    double_width: bool = False
    double_height: bool = False
    red: bool = False
    inverted: bool = False
    align: Align = "left"


class Decoded(msgspec.Struct):
    """What came out of the printer."""

    lines: list[Line] = []
    cuts: int = 0
    buzzes: int = 0
    status_queries: int = 0
    qr_codes: list[str] = []
    pulses: list[tuple[int, int, int]] = []
    """Drawer kicks (ESC p m t1 t2): connector pin (0 or 1), on and off time in ms."""

    @property
    def text(self) -> str:
        """All lines' text, one per line."""
        return "\n".join(line.text for line in self.lines)

    def find(self, needle: str) -> list[Line]:
        """The lines whose text contains ``needle``."""
        return [line for line in self.lines if needle in line.text]


@cache
def _characters(page: CodePage) -> str:
    return bytes(range(256)).decode(page.codec, "replace")


class _Decoder:
    def __init__(self, data: bytes, page: CodePage) -> None:
        self.data = data
        self.default = _characters(page)
        self.characters = self.default
        self.out = Decoded()
        self.pos = 0
        self.text: list[str] = []
        self.style = Line("")
        self.line_style = self.style

    def reset(self) -> None:
        self.characters = self.default
        self.style = Line("")

    def arg(self, offset: int) -> int | None:
        index = self.pos + offset
        return self.data[index] if index < len(self.data) else None

    def set(self, **changes: bool | str) -> None:
        self.style = msgspec.structs.replace(self.style, **changes)

    def flush(self, force: bool) -> None:
        if self.text or force:
            style = self.line_style if self.text else self.style
            self.out.lines.append(msgspec.structs.replace(style, text="".join(self.text)))
            self.text.clear()

    def run(self) -> Decoded:
        data = self.data
        while self.pos < len(data):
            byte = data[self.pos]
            if byte == _ESC:
                self.pos += self.esc()
            elif byte == _GS:
                self.pos += self.gs()
            elif byte == _DLE and self.arg(1) == 0x04:
                self.out.status_queries += 1
                self.pos += 3
            elif byte == _LF:
                self.flush(force=True)
                self.pos += 1
            else:
                if byte >= 0x20:
                    if not self.text:
                        self.line_style = self.style
                    self.text.append(self.characters[byte])
                self.pos += 1
        self.flush(force=False)
        return self.out

    def esc(self) -> int:
        command, n = self.arg(1), self.arg(2)
        if command is None:
            return 1
        if command == ord("@"):
            self.reset()
            return 2
        if n is None:
            return 2
        if command == ord("!"):
            self.set(bold=bool(n & 0x08), double_height=bool(n & 0x10), double_width=bool(n & 0x20))
        elif command == ord("E"):
            self.set(bold=bool(n & 1))
        elif command == ord("a"):
            self.set(align=_ALIGN.get(n & 0x0F, "left"))
        elif command == ord("r"):
            self.set(red=bool(n & 1))
        elif command == ord("t"):
            page = BY_TABLE.get(n)
            self.characters = _characters(page) if page else self.default
        elif command == ord("d"):
            self.flush(force=False)
        elif command == ord("B"):
            self.out.buzzes += 1
            return 4
        elif command == ord("p"):
            return self.pulse(n)
        else:
            return 2 + _ESC_ARGS.get(command, 0)
        return 3

    def pulse(self, pin: int) -> int:
        on, off = self.arg(3), self.arg(4)
        if on is None or off is None:
            return len(self.data) - self.pos
        self.out.pulses.append((pin & 1, 2 * on, 2 * off))
        return 5

    def gs(self) -> int:
        command, n = self.arg(1), self.arg(2)
        if command is None or n is None:
            return 2
        if command == ord("!"):
            self.set(double_width=bool(n & 0x70), double_height=bool(n & 0x07))
        elif command == ord("B"):
            self.set(inverted=bool(n & 1))
        elif command == ord("V"):
            self.flush(force=False)
            self.out.cuts += 1
            return 4 if n in (65, 66, 97, 98, 103, 104) else 3
        elif command == ord("("):
            return self.gs_block(n)
        else:
            return 2 + _GS_ARGS.get(command, 0)
        return 3

    def gs_block(self, kind: int) -> int:
        low, high = self.arg(3), self.arg(4)
        if low is None or high is None:
            return len(self.data) - self.pos
        length = low + 256 * high
        body = self.data[self.pos + 5 : self.pos + 5 + length]
        if kind == ord("k") and body.startswith(b"1P0"):
            self.out.qr_codes.append(body[3:].decode("utf-8", "replace"))
        return 5 + length


def decode(data: bytes, code_page: str = "CP858") -> Decoded:
    """Decode ESC/POS ``data`` printed on a printer whose power-on table is ``code_page``."""
    return _Decoder(bytes(data), find_code_page(code_page)).run()
