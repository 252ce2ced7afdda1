"""Gift cards: issue, redeem, the cards a check sold; redeeming loyalty points."""

from __future__ import annotations

import datetime as dt
import secrets

import msgspec
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import events, journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Invalid, NotFound
from pos_service.guests import service as guests
from pos_service.guests.schemas import LoyaltyRedeem
from pos_service.menu.models import Item
from pos_service.orders.models import LineState
from pos_service.payments._load import Loaded, find_check
from pos_service.payments.events import GiftCardIssued
from pos_service.payments.models import Adjustment, AdjustmentKind, GiftCard
from pos_service.payments.schemas import BillRead, GiftCardCreate, GiftCardRead
from pos_service.payments.service._bill import adjust
from pos_service.payments.service._common import locked, topics


async def usable_card(session: AsyncSession, venue_id: int, code: str) -> GiftCard:
    """The gift card, locked; 404 if unknown, 422 if expired or empty."""
    locks.taken(session, locks.Lock.GIFT_CARD)
    card = (
        await session.execute(
            select(GiftCard)
            .where(GiftCard.venue_id == venue_id, GiftCard.code == code)
            .with_for_update()
        )
    ).scalar_one_or_none()
    if card is None:
        raise NotFound("no such gift card", field="gift_card_code")
    if card.expires_at is not None and card.expires_at <= now_utc():
        raise Invalid("the gift card has expired", field="gift_card_code")
    if card.balance <= 0:
        raise Invalid("the gift card is used up", field="gift_card_code", balance=0)
    return card


async def redeem(session: AsyncSession, venue_id: int, code: str, amount: int) -> tuple[int, int]:
    """Take ``amount`` off the gift card, atomically, never below zero: (id, balance)."""
    row = (
        await session.execute(
            text(
                "UPDATE gift_cards SET balance = balance - :a WHERE venue_id = :v AND code = :c "
                "AND balance >= :a AND (expires_at IS NULL OR expires_at > now()) "
                "RETURNING id, balance"
            ),
            {"v": venue_id, "c": code, "a": amount},
        )
    ).first()
    if row is not None:
        return int(row.id), int(row.balance)
    card = await usable_card(session, venue_id, code)
    raise Invalid(
        "the gift card holds {balance}, less than {amount}",
        amount=amount,
        field="amount",
        balance=card.balance,
    )


async def card_movement(
    session: AsyncSession,
    venue_id: int,
    movement: str,
    card_id: int,
    amount: int,
    balance: int,
    **refs: int | None,
) -> None:
    """Journal a gift card's issue (positive), redemption (negative) or refund back."""
    await journal.append(
        session,
        venue_id,
        "gift_card",
        {
            "movement": movement,
            "gift_card_id": card_id,
            "amount": amount,
            "balance": balance,
            **refs,
        },
    )


def _gift_card_read(card: GiftCard) -> GiftCardRead:
    return GiftCardRead(
        id=card.id, code=card.code, balance=card.balance, expires_at=card.expires_at
    )


async def create_gift_card(
    session: AsyncSession, caller: Caller, data: GiftCardCreate
) -> GiftCardRead:
    """Issue a gift card or voucher with a balance; the code is unique in the venue."""
    taken = await session.scalar(
        select(GiftCard.id).where(GiftCard.venue_id == caller.venue_id, GiftCard.code == data.code)
    )
    if taken is not None:
        raise Conflict("gift card {code} exists", code=data.code, field="code")
    card = GiftCard(
        venue_id=caller.venue_id,
        code=data.code,
        balance=data.balance,
        initial_balance=data.balance,
        expires_at=data.expires_at,
    )
    session.add(card)
    await session.flush()
    await card_movement(session, caller.venue_id, "issue", card.id, card.balance, card.balance)
    return _gift_card_read(card)


CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
DEFAULT_VALID_DAYS = 3 * 365


def new_code() -> str:
    """A random gift card code, e.g. ``K7QD-9XHN-2MWE-R4TP`` (80 bits, no 0/O, 1/I)."""
    raw = "".join(secrets.choice(CODE_ALPHABET) for _ in range(16))
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


async def issue_sold_cards(session: AsyncSession, caller: Caller, loaded: Loaded) -> int:
    """Issue one gift card per unit of each gift-card line of the closing check, worth
    its unit price (discounts on the check do not reduce it); the amount sold."""
    lines = [line for line in loaded.lines if line.state != LineState.VOIDED]
    flagged = set(
        (
            await session.execute(
                select(Item.id).where(
                    Item.venue_id == caller.venue_id,
                    Item.id.in_({line.item_id for line in lines}),
                    Item.gift_card,
                )
            )
        ).scalars()
    )
    days = int(loaded.venue.settings.get("gift_card_valid_days") or DEFAULT_VALID_DAYS)
    expires_at = now_utc() + dt.timedelta(days=days)
    sold = 0
    for line in (line for line in lines if line.item_id in flagged):
        for _ in range(line.quantity):
            card = GiftCard(
                venue_id=caller.venue_id,
                code=new_code(),
                balance=line.unit_price,
                initial_balance=line.unit_price,
                expires_at=expires_at,
                check_id=loaded.check.id,
                line_id=line.id,
            )
            session.add(card)
            await session.flush()
            sold += card.balance
            await card_movement(
                session,
                caller.venue_id,
                "issue",
                card.id,
                card.balance,
                card.balance,
                check_id=loaded.check.id,
                line_id=line.id,
            )
            events.record(
                session,
                caller.venue_id,
                topics(loaded.check.id),
                GiftCardIssued(
                    check_id=loaded.check.id,
                    gift_card=msgspec.to_builtins(_gift_card_read(card)),
                ),
            )
    return sold


async def check_gift_cards(
    session: AsyncSession, caller: Caller, check_id: int
) -> list[GiftCardRead]:
    """The gift cards a check sold (issued when it was paid)."""
    await find_check(session, caller.venue_id, check_id)
    cards = (
        await session.execute(
            select(GiftCard)
            .where(GiftCard.venue_id == caller.venue_id, GiftCard.check_id == check_id)
            .order_by(GiftCard.id)
        )
    ).scalars()
    return [_gift_card_read(card) for card in cards]


# --- loyalty


async def redeem_points(
    session: AsyncSession, caller: Caller, check_id: int, data: LoyaltyRedeem
) -> BillRead:
    """Take the check's guest's points off the bill as a reward discount (an amount
    discount on the check, journaled like any discount; earned, so no approval)."""
    loaded = await locked(session, caller, check_id)
    rule = guests.loyalty_settings(loaded.venue)
    open_ = loaded.ledger.rest.open
    if rule.point_value and data.points * rule.point_value > open_:
        raise Invalid(
            "at most {max_points} points can be used on what is open",
            field="points",
            max_points=open_ // rule.point_value,
        )
    _, value = await guests.spend(session, loaded.venue, check_id, data.points)
    adjustment = Adjustment(
        venue_id=caller.venue_id,
        check_id=check_id,
        kind=AdjustmentKind.DISCOUNT,
        discount_kind="amount",
        value=value,
        reason=f"loyalty reward: {data.points} points",
        added_by=caller.actor,
    )
    return await adjust(session, caller, loaded, adjustment)


async def get_gift_card(session: AsyncSession, caller: Caller, code: str) -> GiftCardRead:
    card = (
        await session.execute(
            select(GiftCard).where(GiftCard.venue_id == caller.venue_id, GiftCard.code == code)
        )
    ).scalar_one_or_none()
    if card is None:
        raise NotFound("no such gift card", field="code")
    return _gift_card_read(card)
