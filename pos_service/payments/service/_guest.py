"""Pay at the table: the guest link, the guest's bill and card payment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.core import tx
from pos_service.core.auth import Caller, TokenSigner
from pos_service.core.db import now_utc
from pos_service.core.errors import Forbidden, Gone, Invalid, NotFound, Term
from pos_service.orders.models import Check, CheckStatus
from pos_service.payments._load import Loaded, bill_read, load
from pos_service.payments.provider import PaymentProvider
from pos_service.payments.schemas import (
    BillRead,
    GuestLinkRead,
    GuestPaymentCreate,
    PaymentCreate,
    PaymentResult,
    SplitRequest,
)
from pos_service.payments.service._close import ask_for_bill
from pos_service.payments.service._common import locked
from pos_service.payments.service._pay import pay_loaded
from pos_service.payments.service._split import split


async def guest_link(
    session: AsyncSession, caller: Caller, signer: TokenSigner, ttl: int, check_id: int
) -> GuestLinkRead:
    """A signed link opening this check only, until it expires or the check closes."""
    loaded = await locked(session, caller, check_id)
    token = signer.issue(Caller(kind="guest", venue_id=caller.venue_id, check_id=check_id), ttl)
    await ask_for_bill(session, caller, loaded)
    return GuestLinkRead(
        token=token, url=f"/guest/{token}", expires_at=now_utc() + dt.timedelta(seconds=ttl)
    )


async def _guest_check(session: AsyncSession, caller: Caller, *, lock: bool) -> Check:
    if caller.kind != "guest" or caller.check_id is None:
        raise Forbidden("a guest link is needed", field="token")
    check = await session.get(Check, (caller.venue_id, caller.check_id), with_for_update=lock)
    if check is None:
        raise NotFound("no such check", field="token")
    if check.status != CheckStatus.OPEN:
        raise Gone(
            "this check is {state}; the link no longer works",
            state=Term(check.status),
            field="token",
        )
    return check


async def guest_bill(session: AsyncSession, caller: Caller) -> BillRead:
    """The bill of the guest link's check (410 once the check is closed)."""
    return bill_read(await load(session, await _guest_check(session, caller, lock=False)))


async def guest_pay(
    session: AsyncSession, caller: Caller, provider: PaymentProvider, data: GuestPaymentCreate
) -> PaymentResult:
    """A guest pays by card: a part, chosen items (cut from the unpaid bill), or an amount."""
    check = await _guest_check(session, caller, lock=True)
    loaded = await load(session, check)
    part_id = data.part_id
    if data.line_ids:
        if part_id is not None:
            raise Invalid("choose a part or items, not both", field="line_ids")
        part_id = await _carve_items(session, caller, loaded, data.line_ids)
        loaded = await load(session, check)
    request = PaymentCreate(method="card", part_id=part_id, amount=data.amount, tip=data.tip)
    return await pay_loaded(session, caller, provider, loaded, request)


async def _carve_items(
    session: AsyncSession, caller: Caller, loaded: Loaded, line_ids: Sequence[int]
) -> int:
    """Split the unpaid bill into the chosen lines and the rest; the chosen part's id."""
    pool = {line_id for line_id, _ in loaded.ledger.pool().line_shares}
    unknown = sorted(set(line_ids) - pool)
    if unknown:
        raise Invalid(
            "lines {unknown} are not open on this bill", unknown=unknown, field="line_ids"
        )
    chosen = set(line_ids)
    assignment = {line_id: 0 if line_id in chosen else 1 for line_id in pool}
    parts = 2 if len(chosen) < len(pool) else 1
    request = SplitRequest(
        mode="items", parts=parts, assignment={k: min(v, parts - 1) for k, v in assignment.items()}
    )
    await session.flush()
    await split(await tx.of_session(session), caller, loaded.check.id, request)
    # the split wrote past the session: the check's version and the parts it replaced
    # or moved are read again
    await session.refresh(loaded.check)
    for part in loaded.parts:
        session.expire(part)
    after = await load(session, loaded.check)
    return next(
        s.id
        for s in after.ledger.parts
        if s.id is not None and not s.held and {i for i, _ in s.part.line_shares} == chosen
    )
