"""The use cases of a bill: read it, discount, comp, split, pay, refund, close, guest link.

Locking: every write locks the check row first (``SELECT ... FOR UPDATE``), then the part
it pays, then the payment it resolves, then a gift card, then the drawer session, then
the table; the journal and event counters come last, at the end of the transaction. Two
payments of one check are therefore serialised, and the second sees the first (pending
or approved) and gets 409 when nothing is left open. What is due is computed from the
payment rows every time (see :mod:`pos_service.payments.ledger`); nothing "due" or
"paid" is stored.

One module per responsibility: ``_bill`` (the bill, discounts, comps), ``_split``,
``_pay`` (paying, announcing a payment, card payments and the provider calls),
``_cash`` (paying in cash, lean), ``_refund``, ``_close`` (closing, the pre-bill),
``_lean_close`` (closing, lean), ``_guest`` (pay at the table),
``_gift_cards`` (gift cards, loyalty points); ``_common`` holds what they share. The
bill's rows are loaded by :mod:`pos_service.payments._load`, which other domains read too.
"""

from pos_service.payments.service._bill import (
    DISCOUNT_APPROVAL_BP,
    DISCOUNT_APPROVAL_MINOR,
    add_comp,
    add_discount,
    get_bill,
    needs_approval,
)
from pos_service.payments.service._cash import pay_cash
from pos_service.payments.service._close import request_bill
from pos_service.payments.service._common import PAYMENTS_TOPIC, topics
from pos_service.payments.service._gift_cards import (
    CODE_ALPHABET,
    DEFAULT_VALID_DAYS,
    check_gift_cards,
    create_gift_card,
    get_gift_card,
    new_code,
    redeem_points,
)
from pos_service.payments.service._guest import guest_bill, guest_link, guest_pay
from pos_service.payments.service._lean_close import close_check
from pos_service.payments.service._pay import (
    PENDING_TIMEOUT,
    ProviderCall,
    pay,
    payment_result,
    poll,
    provider_call,
    record_start,
    resolve,
    resolve_pending,
    settle_payment,
    settle_refund,
)
from pos_service.payments.service._refund import refund
from pos_service.payments.service._split import split

__all__ = [
    "CODE_ALPHABET",
    "DEFAULT_VALID_DAYS",
    "DISCOUNT_APPROVAL_BP",
    "DISCOUNT_APPROVAL_MINOR",
    "PAYMENTS_TOPIC",
    "PENDING_TIMEOUT",
    "ProviderCall",
    "add_comp",
    "add_discount",
    "check_gift_cards",
    "close_check",
    "create_gift_card",
    "get_bill",
    "get_gift_card",
    "guest_bill",
    "guest_link",
    "guest_pay",
    "needs_approval",
    "new_code",
    "pay",
    "pay_cash",
    "payment_result",
    "poll",
    "provider_call",
    "record_start",
    "redeem_points",
    "refund",
    "request_bill",
    "resolve",
    "resolve_pending",
    "settle_payment",
    "settle_refund",
    "split",
    "topics",
]
