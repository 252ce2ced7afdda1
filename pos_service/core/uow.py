"""The unit of work: one transaction per request, idempotency, events after commit.

A controller asks for ``uow`` and calls ``await uow.write(service.fn, *args)``: the
service function receives the session and the caller, works, records its events; the
unit of work claims the ``Idempotency-Key`` in the same transaction, stores the answer,
numbers the events, commits, and only then publishes them.

A hot write is a function of ``(tx, caller, ...)`` (``core.tx``) and is called with
``await uow.reply(service.fn, *args)``: it runs lean on the plain asyncpg pool, and the
handler answers with the bytes stored for the key (encoded once). Both end through
``core.tx`` (decision 1480).
"""

from __future__ import annotations

import functools
import typing
from collections.abc import Awaitable, Callable
from typing import Any, Concatenate, ParamSpec, TypeVar

import asyncpg
import msgspec
from litestar import Request, Response
from litestar.di import NamedDependency
from litestar.enums import MediaType
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.core import events, idempotency, tx
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
        pool: asyncpg.Pool | None = None,
    ) -> None:
        self.pool = pool
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
        key = self.idempotency_key
        if key is not None:
            key = idempotency.scoped(self.caller, key)
        return await self._write(key, fn, *args, **kwargs)

    async def reply(self, fn: tx.TxFn[P, T], *args: P.args, **kwargs: P.kwargs) -> Response[T]:
        """Run a write of ``core.tx`` (a function of ``(tx, caller, ...)``) and answer with
        its bytes: those stored for the ``Idempotency-Key`` are those sent, encoded once."""
        done = await self._run(fn, *args, **kwargs)
        response = Response(done.body, status_code=done.status, media_type=MediaType.JSON)
        return typing.cast(Response[T], response)

    async def write_tx(self, fn: tx.TxFn[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """:meth:`reply`'s answer as a value (for callers in process: tests, the bench)."""
        done = await self._run(fn, *args, **kwargs)
        return typing.cast(T, msgspec.json.decode(done.body, type=_return_type(fn)))

    async def _run(self, fn: tx.TxFn[P, T], *args: P.args, **kwargs: P.kwargs) -> tx.Reply:
        key = self.idempotency_key
        if key is not None:
            key = idempotency.scoped(self.caller, key)
        publish = self.publisher.published
        caller, fingerprint, status = self.caller, self.fingerprint, self.status
        if self.pool is None:
            return await tx.run_with_session(
                self.sessions, publish, caller, key, fingerprint, status, fn, *args, **kwargs
            )
        return await tx.run(
            self.pool, self.sessions, publish, caller, key, fingerprint, status, fn, *args, **kwargs
        )

    async def follow_up(self, fn: ServiceFn[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """A further transaction of the same request, after its :meth:`write` committed
        and something outside the database was called (claim, call, settle). It claims no
        ``Idempotency-Key`` (the first write holds it, and a retry replays that one), so
        ``fn`` must itself change nothing twice."""
        return await self._write(None, fn, *args, **kwargs)

    async def _write(
        self, key: str | None, fn: ServiceFn[P, T], *args: P.args, **kwargs: P.kwargs
    ) -> T:
        venue_id, caller, fingerprint = self.caller.venue_id, self.caller, self.fingerprint

        async def work(session: AsyncSession) -> _Replayed | T:
            if key is not None:
                replay = await idempotency.claim(session, venue_id, key, fingerprint)
                if replay is not None:
                    return _Replayed(replay[1])
            return await fn(session, caller, *args, **kwargs)

        def answer(result: _Replayed | T) -> events.Answer | None:
            if key is None or isinstance(result, _Replayed):
                return None
            return events.Answer(venue_id, key, self.status, msgspec.json.encode(result))

        done = await tx.in_session(self.sessions, self.publisher.published, work, answer)
        if isinstance(done, _Replayed):
            return typing.cast(T, msgspec.json.decode(done.body, type=_return_type(fn)))
        return done


class _Replayed(typing.NamedTuple):
    body: bytes


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
        scope = request.scope  # the URL's path without building the URL
        path = scope.get("root_path", "") + scope["path"]
        fingerprint = idempotency.request_hash(request.method, path, body)
    handler = request.route_handler
    status = handler.status_code or (201 if request.method == "POST" else 200)
    return UnitOfWork(
        state.sessions,
        caller,
        state.publisher,
        idempotency_key=key,
        fingerprint=fingerprint,
        status=status,
        pool=state.pool,
    )


UoW = NamedDependency[UnitOfWork]
"""How a handler asks for the request's unit of work: ``uow: UoW``."""
