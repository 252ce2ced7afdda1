"""A receipt printed on demand, and by itself after payment when the venue says so, read
back from the fake receipt printer: every line, the tax per rate, the payment."""

from __future__ import annotations

from typing import Any

from tests.printing.conftest import Printing, texts


async def _paid_check(printing: Printing) -> int:
    menu = (await printing.call("GET", "/api/menu")).json()
    items = {i["name"]: i["id"] for c in menu["categories"] for i in c["items"]}
    tables = (await printing.call("GET", "/api/floor")).json()
    table_id = next(t["id"] for a in tables["areas"] for t in a["tables"] if t["name"] == "3")
    check = await printing.call("POST", "/api/checks", json={"table_id": table_id, "covers": 2})
    assert check.status_code == 201, check.text
    check_id = int(check.json()["id"])
    for name, quantity in (("Burrata", 2), ("House red", 1), ("Tiramisu", 1)):
        r = await printing.call(
            "POST",
            f"/api/checks/{check_id}/lines",
            json={"item_id": items[name], "quantity": quantity},
        )
        assert r.status_code == 201, r.text
    paid = await printing.call(
        "POST",
        f"/api/checks/{check_id}/payments",
        json={"method": "cash", "tendered": 5000, "tip": 300},
    )
    assert paid.status_code == 201, paid.text
    return check_id


def _assert_receipt(text: str) -> None:
    """2 x 13.50 + 6.50 + 8.50 = 42.00, VAT included: 7 % on food, 19 % on drinks;
    paid 42.00 in cash with a 3.00 tip from 50.00 handed over."""
    lines = text.splitlines()
    assert lines[:3] == ["Trattoria Demo", "RECEIPT", f"Table 3{'Check 1':>35}"]
    assert lines[4:] == [
        "-" * 42,
        f"2 x Burrata{'€27.00':>31}",
        f"1 x House red{'€6.50':>29}",
        f"1 x Tiramisu{'€8.50':>30}",
        "-" * 42,
        f"Subtotal{'€42.00':>34}",
        "TOTAL          €42.00",
        f"incl. VAT 7% on €33.18{'€2.32':>20}",
        f"incl. VAT 19% on €5.46{'€1.04':>20}",
        f"cash{'€42.00':>38}",
        f"   Tip{'€3.00':>36}",
        f"Change{'€5.00':>36}",
        f"Paid{'€42.00':>38}",
        f"Due{'€0.00':>39}",
    ]


async def test_a_receipt_printed_on_demand_has_every_line_tax_per_rate_and_the_payment(
    printing: Printing,
) -> None:
    check_id = await _paid_check(printing)
    await printing.drain(lambda: True)
    assert texts(printing.fakes["Receipt"]) == []  # nothing printed by itself

    r = await printing.call("POST", f"/api/checks/{check_id}/receipt/print")
    assert r.status_code == 202, r.text
    job: dict[str, Any] = await printing.job(r.json()["job_id"])
    assert job["kind"] == "receipt"
    await printing.drain(lambda: len(printing.fakes["Receipt"].jobs) == 1)
    [out] = texts(printing.fakes["Receipt"])
    _assert_receipt(out.text)


async def test_the_venue_may_print_the_receipt_when_the_check_is_paid(
    printing: Printing,
) -> None:
    r = await printing.call(
        "PUT",
        "/api/venue/guest-settings",
        "manager",
        json={"print_receipt_after_payment": True},
    )
    assert r.status_code == 200, r.text
    await _paid_check(printing)
    await printing.drain(lambda: len(printing.fakes["Receipt"].jobs) == 1)
    [out] = texts(printing.fakes["Receipt"])
    _assert_receipt(out.text)


async def test_a_kitchen_hand_cannot_print_a_receipt(printing: Printing) -> None:
    r = await printing.call("POST", "/api/checks/1/receipt/print", "kitchen")
    assert r.status_code == 403
