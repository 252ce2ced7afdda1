"""What the accounting API reads and writes."""

from __future__ import annotations

from typing import Annotated

import msgspec

Account = Annotated[str, msgspec.Meta(min_length=1, max_length=32, pattern=r"^[\w.\-/ ]+$")]
Rate = Annotated[int, msgspec.Meta(ge=0, le=1_000_000)]


class RateAccount(msgspec.Struct, kw_only=True):
    """The account of one tax rate (``rate_ppm``: 70000 = 7 %)."""

    rate_ppm: Rate
    account: Account


class LedgerAccounts(msgspec.Struct, kw_only=True):
    """The venue's ledger accounts. ``sales`` and ``tax`` name an account per tax rate
    (``sales_default`` and ``tax_default`` for a rate not named); ``payments`` one per
    payment method (cash, card); gift cards redeemed and sold move ``gift_cards`` (a
    liability); ``open_checks`` takes what was paid on checks not closed that day, or
    closed without being paid that day; ``cash_movements`` is the other side of cash
    paid into or out of a drawer."""

    sales: list[RateAccount] = []
    sales_default: Account = "8000"
    tax: list[RateAccount] = []
    tax_default: Account = "1770"
    service_charge: Account = "8100"
    cash: Account = "1000"
    card: Account = "1360"
    tips: Account = "1790"
    gift_cards: Account = "1795"
    cash_over_short: Account = "4900"
    cash_movements: Account = "1460"
    open_checks: Account = "1400"
