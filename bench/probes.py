"""The probe routes of ``python -m bench request``: each stops at a layer of a hot
request (registered on the measured app only, never on a served one)."""

from __future__ import annotations

from typing import Any

from litestar import Response, get, post
from litestar.enums import MediaType
from litestar.params import JSONBody

from pos_service.core.auth import requires
from pos_service.core.lean import lean
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.kitchen import service as kitchen
from pos_service.orders.schemas import CheckRead, CheckWrite
from pos_service.payments import service as payments
from pos_service.payments.schemas import BillRead, SplitRequest

GUARDS = [requires("waiter")]


def answer() -> Response[bytes]:
    """Fixed bytes, as a write's stored answer is sent."""
    return Response(b"{}", status_code=200, media_type=MediaType.JSON)


@post("/api/bench-probe/stack", guards=GUARDS, status_code=200, include_in_schema=False)
async def stack() -> Response[bytes]:
    """No parameters: the middleware, routing, the guard, the call and the response."""
    return answer()


@get("/api/bench-probe/stack", guards=GUARDS, include_in_schema=False)
async def stack_get() -> Response[bytes]:
    return answer()


@post(
    "/api/bench-probe/{check_id:int}/send", guards=GUARDS, status_code=200, include_in_schema=False
)
async def send(uow: UoW, check_id: PathId, data: JSONBody[CheckWrite]) -> Any:
    """The send's parameters, then nothing."""
    return answer()


@post(
    "/api/bench-probe/{check_id:int}/split", guards=GUARDS, status_code=200, include_in_schema=False
)
async def split(uow: UoW, check_id: PathId, data: JSONBody[SplitRequest]) -> Any:
    """The split's parameters, then nothing."""
    return answer()


@get("/api/bench-probe/{check_id:int}", guards=GUARDS, include_in_schema=False)
async def read(uow: UoW, check_id: PathId) -> Any:
    """The read's parameters, then nothing."""
    return answer()


@lean
@post(
    "/api/bench-probe/{check_id:int}/send/lean",
    guards=GUARDS,
    status_code=200,
    include_in_schema=False,
)
async def send_lean(uow: UoW, check_id: PathId, data: JSONBody[CheckWrite]) -> Response[bytes]:
    """The send's parameters made by ``@lean``, then nothing."""
    return answer()


@lean
@post(
    "/api/bench-probe/{check_id:int}/split/lean",
    guards=GUARDS,
    status_code=200,
    include_in_schema=False,
)
async def split_lean(uow: UoW, check_id: PathId, data: JSONBody[SplitRequest]) -> Response[bytes]:
    """The split's parameters made by ``@lean``, then nothing."""
    return answer()


@post(
    "/api/bench-probe/{check_id:int}/send/litestar",
    guards=GUARDS,
    status_code=200,
    include_in_schema=False,
)
async def send_litestar(
    uow: UoW, check_id: PathId, data: JSONBody[CheckWrite]
) -> Response[CheckRead]:
    """The send's handler as it was before ``@lean``: arguments made by Litestar."""
    return await uow.reply(kitchen.send, check_id, data)


@post(
    "/api/bench-probe/{check_id:int}/split/litestar",
    guards=GUARDS,
    status_code=200,
    include_in_schema=False,
)
async def split_litestar(
    uow: UoW, check_id: PathId, data: JSONBody[SplitRequest]
) -> Response[BillRead]:
    """The split's handler as it was before ``@lean``."""
    return await uow.reply(payments.split, check_id, data)


PROBES = [
    stack,
    stack_get,
    send,
    split,
    read,
    send_lean,
    split_lean,
    send_litestar,
    split_litestar,
]
