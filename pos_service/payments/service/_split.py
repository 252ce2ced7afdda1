"""Splitting the bill: a lean write (``core.tx``, decision 1546)."""

from __future__ import annotations

import msgspec

from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.tx import Tx
from pos_service.payments._load import bill_read, moved, new_part, open_for_write, with_parts
from pos_service.payments.events import BillSplit
from pos_service.payments.ledger import plan_split
from pos_service.payments.schemas import BillRead, SplitRequest
from pos_service.payments.service._common import topics

SPLIT_WRITE = "SELECT bill_split_write($1, $2, $3, $4, $5, ($6::text)::jsonb)::text"
IDS = msgspec.json.Decoder(list[int])


async def split(tx: Tx, caller: Caller, check_id: int, data: SplitRequest) -> BillRead:
    """Split what nobody has paid on yet (or one part, ``part_id``); paid parts stay.

    A lean write (``core.tx``): the check and its bill in one round trip
    (``open_for_write``), the parts replaced, moved and added and the check's version
    raised in another (``bill_split_write``, migration 0033)."""
    loaded = await open_for_write(tx, caller.venue_id, check_id)
    replaced_ids, pieces = plan_split(loaded.ledger, [p.id for p in loaded.parts], data)
    replaced = [p for p in loaded.parts if p.id in replaced_ids]
    position = min((p.position for p in replaced), default=len(loaded.parts))
    new = [
        {
            "position": position + i,
            "label": piece.label,
            "amount": piece.amount,
            "service_charge": piece.service_charge,
            "taxes": [[t.rate_ppm, t.base, t.tax] for t in piece.taxes],
            "line_shares": [list(share) for share in piece.line_shares],
        }
        for i, piece in enumerate(pieces)
    ]
    ids = IDS.decode(
        await tx.conn.fetchval(
            SPLIT_WRITE,
            caller.venue_id,
            check_id,
            sorted(replaced_ids),
            position,
            loaded.ledger.basis,
            msgspec.json.encode(new).decode(),
        )
    )
    kept = [
        moved(p, len(pieces)) if p.position >= position else p
        for p in loaded.parts
        if p.id not in replaced_ids
    ]
    rows = [new_part(i, loaded.ledger.basis, row) for i, row in zip(ids, new, strict=True)]
    after = with_parts(loaded, [*kept, *rows])
    loaded.check.version += 1  # as bill_split_write raised it
    events.record(
        tx,
        caller.venue_id,
        topics(check_id),
        BillSplit(
            check_id=check_id,
            mode=data.mode,
            part_ids=[s.id for s in after.ledger.parts if s.id is not None],
            amounts=[s.part.amount for s in after.ledger.parts],
            version=loaded.check.version,
            bill=msgspec.to_builtins(bill := bill_read(after)),
        ),
    )
    return bill
