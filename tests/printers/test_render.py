"""Rendered documents, read back as a cook or a guest would read them."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Literal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.internal.charmap import CategoryName

from printers.decoder import Decoded, Line, decode
from printers.documents import (
    BillLine,
    Discount,
    Payment,
    PreBill,
    PrinterProfile,
    Receipt,
    TaxLine,
    TicketItem,
)
from printers.render import render_prebill, render_receipt, render_ticket
from tests.printers.conftest import make_ticket

Width = Literal[32, 42, 48]


def one(decoded: Decoded, needle: str) -> Line:
    found = decoded.find(needle)
    assert len(found) == 1, (needle, decoded.text)
    return found[0]


def order(decoded: Decoded, *needles: str) -> list[int]:
    texts = [line.text for line in decoded.lines]
    return [next(i for i, text in enumerate(texts) if needle in text) for needle in needles]


def fits(decoded: Decoded, width: int) -> bool:
    return all(len(line.text) * (2 if line.double_width else 1) <= width for line in decoded.lines)


def test_a_ticket_shows_what_the_kitchen_needs() -> None:
    profile = PrinterProfile(two_colour=True, buzzer=True)
    decoded = decode(render_ticket(make_ticket(), profile))

    header = one(decoded, "#42")
    assert header.text.startswith("12 ")
    assert header.double_width
    assert header.double_height
    assert one(decoded, "Kitchen 1").bold
    assert "4 covers  19:42" in one(decoded, "Anna").text
    assert one(decoded, "2 x Ribeye").text.endswith("seat 3")
    ribeye = order(decoded, "2 x Ribeye")[0]
    assert [line.text for line in decoded.lines[ribeye + 1 : ribeye + 4]] == [
        "   medium rare",
        "   no onions",
        "   NOTE: sauce on the side",
    ]
    assert one(decoded, "NOTE: birthday at table 12").bold
    for text in ("ALLERGY: peanuts", "ALLERGY: mustard"):
        allergy = one(decoded, text)
        assert allergy.red
        assert allergy.bold
        assert not allergy.inverted
    assert not any(line.red for line in decoded.lines if "ALLERGY" not in line.text)
    assert decoded.buzzes == 1
    assert decoded.cuts == 1


def test_courses_print_in_the_order_they_first_appear() -> None:
    decoded = decode(render_ticket(make_ticket(), PrinterProfile()))
    starters, soup, tartare, mains, ribeye = order(
        decoded, "-- Starters --", "1 x Soup", "1 x Tartare", "-- Mains --", "2 x Ribeye"
    )
    assert starters < soup < tartare < mains < ribeye


def test_on_a_one_colour_printer_allergies_print_inverted() -> None:
    decoded = decode(render_ticket(make_ticket(), PrinterProfile(buzzer=True)))
    allergy = one(decoded, "ALLERGY: peanuts")
    assert allergy.inverted
    assert allergy.bold
    assert not allergy.red
    assert decoded.buzzes == 1


def test_the_buzzer_sounds_only_for_allergies_and_only_if_there_is_one() -> None:
    calm = make_ticket(allergies=[], items=[TicketItem(1, "Soup")])
    assert decode(render_ticket(calm, PrinterProfile(buzzer=True))).buzzes == 0
    assert decode(render_ticket(make_ticket(), PrinterProfile(buzzer=False))).buzzes == 0


def test_no_cut_on_a_printer_without_cutter() -> None:
    assert decode(render_ticket(make_ticket(), PrinterProfile(cut=False))).cuts == 0


def test_a_void_ticket_says_void_in_big_letters() -> None:
    items = [TicketItem(2, "Ribeye", voided=True), TicketItem(1, "Soup")]
    decoded = decode(render_ticket(make_ticket(kind="void", items=items), PrinterProfile()))
    header = decoded.lines[0]
    assert header.text == "VOID"
    assert header.double_width
    assert header.double_height
    assert header.inverted
    voided = one(decoded, "2 x Ribeye")
    assert voided.text.startswith("VOID ")
    assert voided.inverted
    assert not one(decoded, "1 x Soup").text.startswith("VOID")


def test_a_fire_ticket_names_the_course() -> None:
    decoded = decode(
        render_ticket(make_ticket(kind="fire", course_fired="Mains"), PrinterProfile())
    )
    assert decoded.lines[0].text == "FIRE Mains"
    assert decoded.lines[0].double_width


def test_backup_and_reprint_banners_head_the_ticket() -> None:
    data = render_ticket(make_ticket(), PrinterProfile(), banner="BACKUP for Kitchen 1", reprint=2)
    decoded = decode(data)
    assert [line.text for line in decoded.lines[:2]] == ["BACKUP for Kitchen 1", "REPRINT 2"]
    assert decoded.lines[0].inverted
    assert decoded.lines[0].align == "center"
    plain = decode(render_ticket(make_ticket(), PrinterProfile()))
    assert not plain.find("BACKUP")
    assert not plain.find("REPRINT")


@pytest.mark.parametrize("width", [32, 42, 48])
def test_long_text_wraps_within_the_paper_width(width: Width) -> None:
    long = "Slow-roasted heritage carrots with whipped feta and a very long story " * 2
    items = [
        TicketItem(3, long, seat=11, modifiers=[long], note=long, allergens=["tree nuts " * 8]),
        TicketItem(1, "Supercalifragilisticexpialidocious" * 3),
    ]
    ticket = make_ticket(table="Terrace by the fountain 14", items=items, notes=[long])
    decoded = decode(render_ticket(ticket, PrinterProfile(width=width), banner=long))
    assert fits(decoded, width)
    assert "Supercalifragilisticexpialidocious" * 3 in "".join(
        line.text.strip() for line in decoded.lines
    )
    note = order(decoded, "NOTE: Slow-roasted")[0]
    assert decoded.lines[note + 1].text.startswith("     ")


SURROGATES: list[CategoryName] = ["Cs"]
text = st.text(st.characters(codec="utf-8", exclude_categories=SURROGATES), max_size=90)


@settings(max_examples=60, deadline=None)
@given(
    width=st.sampled_from([32, 42, 48]),
    name=text,
    modifier=text,
    table=text,
)
def test_no_text_ever_exceeds_the_width(width: Width, name: str, modifier: str, table: str) -> None:
    items = [TicketItem(1, name, seat=1, modifiers=[modifier], note=name, allergens=[modifier])]
    data = render_ticket(make_ticket(table=table, items=items), PrinterProfile(width=width))
    decoded = decode(data)
    assert fits(decoded, width)
    assert decoded.cuts == 1


@pytest.mark.parametrize("code_page", ["CP858", "CP1252", "ISO_8859-15"])
def test_euro_and_accents_round_trip(code_page: str) -> None:
    items = [TicketItem(1, "Crème brûlée à 9 €"), TicketItem(2, "Müsli für Jürgen")]
    data = render_ticket(make_ticket(items=items), PrinterProfile(code_page=code_page))
    decoded = decode(data, code_page="CP437")
    assert one(decoded, "Crème brûlée à 9 €")
    assert one(decoded, "Müsli für Jürgen")


def test_a_code_page_without_euro_prints_a_question_mark() -> None:
    data = render_ticket(
        make_ticket(items=[TicketItem(1, "Café 9 €")]), PrinterProfile(code_page="CP850")
    )
    assert one(decode(data), "Café 9 ?")


def test_text_cannot_smuggle_printer_commands_or_lines() -> None:
    item = TicketItem(1, "Soup\x1dV\x00\x1bB\x09\x09\nFAKE LINE", note="a\x1fb")
    decoded = decode(render_ticket(make_ticket(items=[item]), PrinterProfile()))
    assert decoded.cuts == 1
    assert decoded.buzzes == 0
    assert not any(line.text.startswith("FAKE LINE") for line in decoded.lines)
    assert one(decoded, "NOTE: a b")


def make_bill(**changes: object) -> dict[str, object]:
    fields: dict[str, object] = {
        "venue": "Chez Léa",
        "table": "12",
        "check_id": "C-1001",
        "waiter": "Anna",
        "created_at": datetime(2025, 3, 1, 21, 5, tzinfo=UTC),
        "currency": "EUR",
        "lines": [
            BillLine(2, "Ribeye", 5800, ["medium rare"]),
            BillLine(1, "Crème brûlée", 850),
        ],
        "subtotal_minor": 6650,
        "taxes": [TaxLine(100_000, "VAT", 575, 5750)],
        "discounts": [Discount("Regular guest", 325)],
        "total_minor": 6325,
        "due_minor": 6325,
        "tax_inclusive": True,
        "qr_url": "https://pos.example/g/abc123",
    }
    fields.update(changes)
    return fields


def test_a_prebill_lists_lines_totals_and_a_pay_link() -> None:
    decoded = decode(render_prebill(PreBill(**make_bill()), PrinterProfile(width=32)))  # type: ignore[arg-type]
    assert fits(decoded, 32)
    assert one(decoded, "BILL").align == "center"
    assert one(decoded, "2 x Ribeye").text.endswith("€58.00")
    assert one(decoded, "Regular guest").text.endswith("-€3.25")
    total = one(decoded, "TOTAL")
    assert total.double_width
    assert total.text.endswith("€63.25")
    assert one(decoded, "incl. VAT 10% on €57.50").text.endswith("€5.75")
    assert one(decoded, "Due").text.endswith("€63.25")
    assert decoded.qr_codes == ["https://pos.example/g/abc123"]


def test_sales_tax_is_added_before_the_total() -> None:
    bill = make_bill(tax_inclusive=False, taxes=[TaxLine(88_750, "Tax", 561, 6325)], currency="USD")
    decoded = decode(render_prebill(PreBill(**bill), PrinterProfile()))  # type: ignore[arg-type]
    tax, total = order(decoded, "Tax 8.875% on $63.25", "TOTAL")
    assert tax < total
    assert not decoded.find("incl.")


def test_a_receipt_shows_payments_tips_and_change() -> None:
    receipt = Receipt(
        **make_bill(paid_minor=6325, due_minor=0, qr_url=None),  # type: ignore[arg-type]
        payments=[
            Payment("Card", 4000, tip_minor=500, brand="VISA", last4="4242"),
            Payment("Cash", 2325),
        ],
        change_minor=175,
    )
    decoded = decode(render_receipt(receipt, PrinterProfile(), reprint=1))
    assert decoded.lines[0].text == "REPRINT 1"
    assert one(decoded, "RECEIPT")
    assert one(decoded, "Card VISA ****4242").text.endswith("€40.00")
    assert one(decoded, "Tip").text.endswith("€5.00")
    assert one(decoded, "Cash").text.endswith("€23.25")
    assert one(decoded, "Change").text.endswith("€1.75")
    assert one(decoded, "Due").text.endswith("€0.00")
    assert decoded.qr_codes == []


def test_qr_codes_are_the_commands_python_escpos_writes() -> None:
    from escpos.printer import Dummy

    from printers.render import _qr

    url = "https://pos.example/g/abc123?x=ü"
    printer = Dummy()
    printer.qr(url, native=True, size=6)
    assert _qr(url) == bytes(printer.output)


def test_code_pages_match_python_escpos_printer_database() -> None:
    from escpos.capabilities import CAPABILITIES, get_profile

    from printers.codepages import CODE_PAGES

    tables = get_profile().get_code_pages()
    for name, page in CODE_PAGES.items():
        assert page.table == int(tables[name]), name
        assert page.codec == CAPABILITIES["encodings"][name]["python_encode"], name
