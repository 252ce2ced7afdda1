"""The decoder reads what the printer would print, and survives any input."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from printers.codepages import SUPPORTED
from printers.decoder import Line, decode
from printers.documents import DrawerPulse
from printers.render import render_pulse


def test_styles_apply_to_the_lines_printed_under_them() -> None:
    data = (
        b"\x1b@\x1b!\x38Big\n"  # ESC ! bold, double height and width
        b"\x1b!\x00\x1ba\x02right\n"
        b"\x1ba\x00\x1d!\x10wide\n"  # GS ! double width only
        b"\x1d!\x00\x1dB\x01\x1br\x01alarm\n"
        b"\x1b@plain\n"
    )
    assert decode(data).lines == [
        Line("Big", bold=True, double_width=True, double_height=True),
        Line("right", align="right"),
        Line("wide", double_width=True),
        Line("alarm", red=True, inverted=True),
        Line("plain"),
    ]


def test_cuts_buzzes_status_queries_and_feeds_are_counted_not_printed() -> None:
    data = b"a\x10\x04\x01b\x1bB\x02\x03\x1bd\x05\x1dV\x00\x1dVA\x03\n"
    decoded = decode(data)
    assert [line.text for line in decoded.lines] == ["ab", ""]
    assert (decoded.cuts, decoded.buzzes, decoded.status_queries) == (2, 1, 1)


def test_code_page_switches_and_reset_returns_to_the_default() -> None:
    euro_858, euro_1252 = "€".encode("cp858"), "€".encode("cp1252")
    data = euro_858 + b"\n\x1bt\x10" + euro_1252 + b"\n\x1b@" + euro_858 + b"\n"
    assert decode(data, "CP858").text == "€\n€\n€"


def test_unknown_commands_are_skipped() -> None:
    data = b"\x1b-\x01under\x1b-\x00line\n\x1b\x99x\n\x1d(L\x02\x00ab\x1dH\x02Q\n"
    assert decode(data).text == "underline\nx\nQ"


def test_a_native_qr_code_is_read_back() -> None:
    url = b"https://pos.example/g/1"
    store = b"\x1d(k" + bytes([len(url) + 3, 0]) + b"1P0" + url
    assert decode(store + b"\x1d(k\x03\x001Q0").qr_codes == [url.decode()]


commands = st.sampled_from(
    [b"\x1b", b"\x1d", b"\x10\x04", b"\x1d(k", b"\x1d(", b"\x1bt", b"\x1dV", b"\x1bB", b"\n"]
)


@settings(max_examples=300)
@given(
    chunks=st.lists(st.one_of(commands, st.binary(max_size=6)), max_size=40),
    code_page=st.sampled_from(SUPPORTED),
)
def test_the_decoder_never_crashes(chunks: list[bytes], code_page: str) -> None:
    data = b"".join(chunks)
    decoded = decode(data, code_page)
    assert sum(len(line.text) for line in decoded.lines) <= len(data)


@given(st.binary(max_size=4000))
def test_the_decoder_never_crashes_on_random_bytes(data: bytes) -> None:
    decode(data)


def test_a_code_page_switch_mid_line_keeps_earlier_characters() -> None:
    data = "é".encode("cp858") + b"\x1bt\x10" + "€".encode("cp1252") + b"\n"
    assert decode(data, "CP858").text == "é€"


def test_a_drawer_pulse_reads_back_as_pin_and_times() -> None:
    data = render_pulse(DrawerPulse(pin=1, on_ms=50, off_ms=500))
    assert data == b"\x1b@\x1bp\x01\x19\xfa"
    decoded = decode(data + b"after\n")
    assert decoded.pulses == [(1, 50, 500)] and decoded.text == "after"
    assert decode(b"\x1bp0\x19").pulses == []  # cut short: no pulse, no exception
