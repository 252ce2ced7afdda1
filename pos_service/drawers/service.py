"""Drawer sessions: open with a float, paid in and out, "no sale", blind close; the pulse.

A staff member has at most one open session (a partial unique index). Each cash payment
they take adds its amount and its tip to it (:func:`cash_taken`, in the payment's
transaction, after the payment's locks) and queues a drawer pulse for the drawer's
printer, as a "no sale" does. Every movement is journaled (kind ``drawer``), so the X and
Z reports sum the day's paid in and out and each closed session's over/short from the
journal alone. See docs/drawers.md.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import journal, locks
from pos_service.core.auth import Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Forbidden, Invalid, NotFound
from pos_service.drawers.models import DrawerMovement, DrawerSession
from pos_service.drawers.schemas import (
    BlindCount,
    CashMovement,
    MovementRead,
    NoSale,
    SessionOpen,
    SessionRead,
)
from pos_service.printing import service as printing
from pos_service.printing.models import JobKind
from pos_service.staff.models import Staff
from printers.documents import DrawerPulse


def expected(s: DrawerSession) -> int:
    """What the drawer should hold: float, cash takings and tips, paid in, less paid out."""
    return s.opening_float + s.cash_sales + s.cash_tips + s.paid_in - s.paid_out


def _read(
    s: DrawerSession, name: str, caller: Caller, movements: list[DrawerMovement]
) -> SessionRead:
    closed = s.closed_at is not None
    takings = closed or "manager" in caller.roles
    return SessionRead(
        id=s.id,
        staff_id=s.staff_id,
        staff_name=name,
        device_id=s.device_id,
        opened_at=s.created_at,
        opening_float=s.opening_float,
        cash_sales=s.cash_sales if takings else None,
        cash_tips=s.cash_tips if takings else None,
        paid_in=s.paid_in,
        paid_out=s.paid_out,
        no_sales=s.no_sales,
        closed_at=s.closed_at,
        counted=s.counted,
        expected=s.expected if closed else None,
        over_short=(s.counted - s.expected)
        if closed and s.counted is not None and s.expected is not None
        else None,
        movements=[
            MovementRead(
                id=m.id,
                kind=m.kind,  # type: ignore[arg-type]
                amount=m.amount,
                reason=m.reason,
                staff_id=m.staff_id,
                at=m.created_at,
            )
            for m in movements
        ],
    )


async def _session_read(session: AsyncSession, caller: Caller, s: DrawerSession) -> SessionRead:
    staff = await session.get(Staff, (caller.venue_id, s.staff_id))
    movements = list(
        (
            await session.execute(
                select(DrawerMovement)
                .where(DrawerMovement.venue_id == caller.venue_id)
                .where(DrawerMovement.session_id == s.id)
                .order_by(DrawerMovement.id)
            )
        ).scalars()
    )
    return _read(s, staff.name if staff else str(s.staff_id), caller, movements)


def _reason(reason: str) -> str:
    cleaned = reason.strip()
    if not cleaned:
        raise Invalid("a reason is needed", field="reason")
    return cleaned


def _fact(s: DrawerSession, event: str, **extra: Any) -> dict[str, Any]:
    return {"event": event, "session_id": s.id, "staff_id": s.staff_id, **extra}


async def _pulse(session: AsyncSession, venue_id: int, reason: str) -> int | None:
    """Queue a drawer pulse for the venue's drawer printer (the printer chosen with
    ``drawer``, else its receipt printer); the job id, or None when it has neither."""
    printer = await printing.drawer_printer(session, venue_id)
    if printer is None:
        return None
    return await printing.enqueue(
        session, venue_id, printer.id, DrawerPulse(reason=reason), JobKind.DRAWER
    )


async def _own_open(session: AsyncSession, caller: Caller, *, lock: bool) -> DrawerSession:
    query = select(DrawerSession).where(
        DrawerSession.venue_id == caller.venue_id,
        DrawerSession.staff_id == caller.actor,
        DrawerSession.closed_at.is_(None),
    )
    if lock:
        locks.taken(session, locks.Lock.DRAWER)
        query = query.with_for_update()
    found = (await session.execute(query)).scalar_one_or_none()
    if found is None:
        raise Conflict("no drawer session is open; open one with a float first")
    return found


async def _locked(session: AsyncSession, caller: Caller, session_id: int) -> DrawerSession:
    found = await locks.row(
        session, locks.Lock.DRAWER, DrawerSession, (caller.venue_id, session_id), refresh=True
    )
    if found is None or (found.staff_id != caller.actor and "manager" not in caller.roles):
        raise NotFound("no drawer session {session_id}", session_id=session_id, field="session_id")
    return found


async def open_session(session: AsyncSession, caller: Caller, data: SessionOpen) -> SessionRead:
    """Open the caller's drawer session with its float; 409 while one is open."""
    if caller.staff_id is None:
        raise Forbidden("staff only")
    busy = await session.scalar(
        select(DrawerSession.id).where(
            DrawerSession.venue_id == caller.venue_id,
            DrawerSession.staff_id == caller.staff_id,
            DrawerSession.closed_at.is_(None),
        )
    )
    if busy is not None:
        raise Conflict("drawer session {session_id} is still open", session_id=busy)
    s = DrawerSession(
        venue_id=caller.venue_id,
        staff_id=caller.staff_id,
        device_id=caller.device_id,
        opening_float=data.opening_float,
        cash_sales=0,
        cash_tips=0,
        paid_in=0,
        paid_out=0,
        no_sales=0,
    )
    session.add(s)
    await session.flush()
    await session.refresh(s)
    await journal.append(
        session, caller.venue_id, "drawer", _fact(s, "open", opening_float=s.opening_float)
    )
    return await _session_read(session, caller, s)


async def _move(
    session: AsyncSession, caller: Caller, s: DrawerSession, kind: str, amount: int, reason: str
) -> None:
    session.add(
        DrawerMovement(
            venue_id=caller.venue_id,
            session_id=s.id,
            kind=kind,
            amount=amount,
            reason=reason,
            staff_id=caller.actor,
        )
    )
    await journal.append(
        session, caller.venue_id, "drawer", _fact(s, kind, amount=amount, reason=reason)
    )


async def paid(
    session: AsyncSession, caller: Caller, direction: str, data: CashMovement
) -> SessionRead:
    """Cash paid into or out of the caller's open drawer, with a reason; journaled. A paid
    out cannot take more than the drawer should hold (422 naming ``amount``)."""
    reason = _reason(data.reason)
    s = await _own_open(session, caller, lock=True)
    if direction == "paid_out":
        if data.amount > expected(s):
            raise Invalid("more than the drawer holds", field="amount")
        s.paid_out += data.amount
    else:
        s.paid_in += data.amount
    await _move(session, caller, s, direction, data.amount, reason)
    await _pulse(session, caller.venue_id, direction.replace("_", " "))
    await session.flush()
    return await _session_read(session, caller, s)


async def no_sale(session: AsyncSession, caller: Caller, data: NoSale) -> SessionRead:
    """Open the drawer without a sale: needs a reason, journaled and audited."""
    reason = _reason(data.reason)
    s = await _own_open(session, caller, lock=True)
    s.no_sales += 1
    await _move(session, caller, s, "no_sale", 0, reason)
    job_id = await _pulse(session, caller.venue_id, "no sale")
    await audit.record(
        session,
        caller,
        "drawer.no_sale",
        f"drawer_session:{s.id}",
        {"reason": reason, "job_id": job_id},
    )
    await session.flush()
    return await _session_read(session, caller, s)


async def close_session(
    session: AsyncSession, caller: Caller, session_id: int, data: BlindCount
) -> SessionRead:
    """Close a session with the cash counted; the answer shows expected and over/short."""
    s = await _locked(session, caller, session_id)
    if s.closed_at is not None:
        raise Conflict(
            "drawer session {session_id} is already closed",
            session_id=session_id,
            field="session_id",
        )
    s.closed_at = now_utc()
    s.closed_by = caller.actor
    s.counted = data.counted
    s.expected = expected(s)
    await journal.append(
        session,
        caller.venue_id,
        "drawer",
        _fact(
            s,
            "close",
            opening_float=s.opening_float,
            cash_sales=s.cash_sales,
            cash_tips=s.cash_tips,
            paid_in=s.paid_in,
            paid_out=s.paid_out,
            expected=s.expected,
            counted=s.counted,
            over_short=s.counted - s.expected,
            closed_by=caller.actor,
        ),
    )
    await session.flush()
    return await _session_read(session, caller, s)


async def get_session(session: AsyncSession, caller: Caller, session_id: int) -> SessionRead:
    """One session (a staff member's own, or any for managers)."""
    s = await session.get(DrawerSession, (caller.venue_id, session_id))
    if s is None or (s.staff_id != caller.actor and "manager" not in caller.roles):
        raise NotFound("no drawer session {session_id}", session_id=session_id, field="session_id")
    return await _session_read(session, caller, s)


async def list_sessions(
    session: AsyncSession, caller: Caller, open_only: bool = False, limit: int = 100
) -> list[SessionRead]:
    """The newest sessions: all of the venue's for managers, a staff member's own."""
    query = select(DrawerSession).where(DrawerSession.venue_id == caller.venue_id)
    if "manager" not in caller.roles:
        query = query.where(DrawerSession.staff_id == caller.actor)
    if open_only:
        query = query.where(DrawerSession.closed_at.is_(None))
    found = (await session.execute(query.order_by(DrawerSession.id.desc()).limit(limit))).scalars()
    return [await _session_read(session, caller, s) for s in found]


_CASH = text(
    "UPDATE drawer_sessions SET cash_sales = cash_sales + :amount, cash_tips = cash_tips + :tip"
    " WHERE venue_id = :v AND staff_id = :s AND closed_at IS NULL RETURNING id"
)


async def cash_taken(
    session: AsyncSession, venue_id: int, staff_id: int | None, amount: int, tip: int
) -> int | None:
    """A cash payment was taken (in its transaction): add it to the taker's open session
    and queue the drawer pulse. The session's id, or None when the taker has none open."""
    found = None
    if staff_id is not None:
        locks.taken(session, locks.Lock.DRAWER)
        found = await session.scalar(
            _CASH, {"amount": amount, "tip": tip, "v": venue_id, "s": staff_id}
        )
    await _pulse(session, venue_id, "cash")
    return None if found is None else int(found)
