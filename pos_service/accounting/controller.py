"""Ledger accounts and the daily journal entry export (owners and managers)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, get, put
from litestar.params import JSONBody, QueryParameter

from pos_service.accounting import service
from pos_service.accounting.schemas import LedgerAccounts
from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.uow import UoW

CSV = "text/csv; charset=utf-8"


class AccountingController(Controller):
    path = "/api/accounting"
    tags = ["accounting"]
    guards = [requires("owner")]

    @get("/accounts", responses=problems())
    async def accounts(self, uow: UoW) -> LedgerAccounts:
        """The venue's ledger accounts (defaults where the owner set none)."""
        return await uow.read(service.get_accounts)

    @put("/accounts", responses=problems(422))
    async def set_accounts(self, uow: UoW, data: JSONBody[LedgerAccounts]) -> LedgerAccounts:
        """Set the ledger accounts (audited)."""
        return await uow.write(service.set_accounts, data)

    @get("/journal-entries", media_type=CSV, responses=problems(404))
    async def journal_entries(
        self,
        uow: UoW,
        day: Annotated[dt.date, QueryParameter(description="a closed business day")],
    ) -> Response[bytes]:
        """The closed business day's journal entry as CSV: debits equal credits."""
        body = await uow.read(service.journal_entry_csv, day)
        return Response(
            body,
            media_type=CSV,
            headers={
                "Content-Disposition": f'attachment; filename="journal-{day.isoformat()}.csv"'
            },
        )
