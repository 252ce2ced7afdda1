"""The unit of work: one transaction per request, idempotency, events after commit.

A controller asks for ``uow`` and calls ``await uow.write(service.fn, *args)``: the
service function receives the session and the caller, works, records its events; the
unit of work claims the ``Idempotency-Key`` in the same transaction, stores the answer,
numbers the events, commits, and only then publishes them.
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import msgspec
from litestar import Request
from litestar.di import NamedDependency
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import events, idempotency
from pos_service.core.auth import Caller

P = ParamSpec("P")
T = TypeVar("T")

ServiceFn = Callable[Concatenate[AsyncSession, Caller, P], Awaitable[T]]


class Publisher(typing.Protocol):
    """What the unit of work hands committed events to."""

    async def published(self, committed: list[events.Committed]) -> None: ...


@functools.cache
def _return_type(fn: Callable[..., Any]) -> Any:
    return typing.get_type_hints(fn)["return"]


class UnitOfWork:
    """Per-request transaction runner; see the module docstring."""

    def __init__(
        self,
        sessions: async_sessionmaker[AsyncSession],
        caller: Caller,
        publisher: Publisher,
        *,
        idempotency_key: str | None = None,
        fingerprint: bytes = b"",
        status: int = 200,
    ) -> None:
        self.sessions = sessions
        self.caller = caller
        self.publisher = publisher
        self.idempotency_key = idempotency_key
        self.fingerprint = fingerprint
        self.status = status

    async def read(self, fn: ServiceFn[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a read-only service function."""
        async with self.sessions() as session, session.begin():
            return await fn(session, self.caller, *args, **kwargs)

    async def write(self, fn: ServiceFn[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run a changing service function in one transaction (see module docstring)."""
        return await self._write(self.idempotency_key, fn, *args, **kwargs)

    async def follow_up(self, fn: ServiceFn[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A further transaction of the same request, after its :meth:`write` committed
        and something outside the database was called (claim, call, settle). It claims no
        ``Idempotency-Key`` (the first write holds it, and a retry replays that one), so
        ``fn`` must itself change nothing twice."""
        return await self._write(None, fn, *args, **kwargs)

    async def _write(
        self, key: str | None, fn: ServiceFn[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        venue_id = self.caller.venue_id
        async with self.sessions() as session:
            try:
                async with session.begin():
                    if key is not None:
                        replay = await idempotency.claim(session, venue_id, key, self.fingerprint)
                        if replay is not None:
                            return typing.cast(
                                T, msgspec.json.decode(replay[1], type=_return_type(fn))
                            )
                    result = await fn(session, self.caller, *args, **kwargs)
                    answer = None
                    if key is not None:
                        body = msgspec.json.encode(result)
                        answer = events.Answer(venue_id, key, self.status, body)
                    committed = await events.flush(session, answer)
            except BaseException:
                events.discard(session)
                raise
        if committed:
            await self.publisher.published(committed)
        return result


async def provide_uow(request: Request[Any, Any, Any]) -> UnitOfWork:
    """Litestar dependency building the request's unit of work."""
    return await unit_of_work(request, request.user)


async def unit_of_work(request: Request[Any, Any, Any], caller: Caller) -> UnitOfWork:
    """The request's unit of work for ``caller`` (a guest link's caller on public paths)."""
    state = request.app.state
    key = request.headers.get("idempotency-key")
    fingerprint = b""
    if key is not None:
        body = await request.body()
        fingerprint = idempotency.request_hash(request.method, request.url.path, body)
    handler = request.route_handler
    status = handler.status_code or (201 if request.method == "POST" else 200)
    return UnitOfWork(
        state.sessions,
        caller,
        state.publisher,
        idempotency_key=key,
        fingerprint=fingerprint,
        status=status,
    )


UoW = NamedDependency[UnitOfWork]
"""How a handler asks for the request's unit of work: ``uow: UoW``."""
