"""The printing API: printers and their status, the print queue, and the agent's calls."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post
from litestar.datastructures import State
from litestar.params import JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import OptionalQueryId, PathId
from pos_service.core.uow import UoW
from pos_service.printing import service
from pos_service.printing.schemas import (
    AckRequest,
    ClaimedJob,
    ClaimRequest,
    PrinterCreate,
    PrinterPatch,
    PrinterRead,
    PrintJobRead,
    ReprintRequest,
    StateName,
)

READERS = requires("waiter", "host", "kitchen", "bar", "printer")
AGENT = requires("printer")


class PrintersController(Controller):
    path = "/api/printers"
    tags = ["printing"]

    @get("/", guards=[READERS], responses=problems(404))
    async def list_printers(self, uow: UoW) -> list[PrinterRead]:
        """The venue's printers with status, last seen, stations and waiting jobs."""
        return await uow.read(service.list_printers)

    @post("/", guards=[requires()], responses=problems(404, 409))
    async def create_printer(
        self, uow: UoW, state: State, data: JSONBody[PrinterCreate]
    ) -> PrinterRead:
        """Add a printer (managers). A network printer is on the LAN or allow-listed, a
        file printer a device path or a file in the spool directory: 422 naming
        `address` otherwise."""
        return await uow.write(service.create_printer, data, state.outbound)

    @patch("/{printer_id:int}", guards=[requires()], responses=problems(404, 409))
    async def patch_printer(
        self, uow: UoW, state: State, printer_id: PathId, data: JSONBody[PrinterPatch]
    ) -> PrinterRead:
        """Change a printer's connection, settings, backup or stations (managers)."""
        return await uow.write(service.patch_printer, printer_id, data, state.outbound)


class PrintJobsController(Controller):
    path = "/api/print-jobs"
    tags = ["printing"]

    @get("/", guards=[READERS], responses=problems(404))
    async def list_jobs(
        self,
        uow: UoW,
        job_state: Annotated[StateName | None, QueryParameter(name="state")] = None,
        printer_id: OptionalQueryId = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
    ) -> list[PrintJobRead]:
        """The newest print jobs, optionally of one state (queued, sending, printed, failed)."""
        return await uow.read(service.list_jobs, job_state, printer_id, limit)

    @post(
        "/{job_id:int}/reprint",
        guards=[requires("waiter", "kitchen", "bar")],
        responses=problems(404, 409),
    )
    async def reprint(
        self, uow: UoW, job_id: PathId, data: JSONBody[ReprintRequest]
    ) -> PrintJobRead:
        """Print a job again, headed "REPRINT n", on its printer or another one."""
        return await uow.write(service.reprint, job_id, data)

    @post("/claim", guards=[AGENT], status_code=200, responses=problems(404, 409))
    async def claim(self, uow: UoW, state: State, data: JSONBody[ClaimRequest]) -> list[ClaimedJob]:
        """A print agent takes the due jobs of its venue (agent mode); they become sending."""
        return await uow.write(service.claim, data, state.print_policy)

    @post("/{job_id:int}/ack", guards=[AGENT], status_code=200, responses=problems(404, 409))
    async def ack(
        self, uow: UoW, state: State, job_id: PathId, data: JSONBody[AckRequest]
    ) -> PrintJobRead:
        """A print agent reports a claimed job printed, or failed with the error it saw."""
        return await uow.write(service.ack, job_id, data, state.print_policy)
