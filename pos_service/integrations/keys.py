"""API keys for integrations: made, rotated and revoked by managers; checked per call.

A key is ``posk_`` and 43 random base64url characters; only its SHA-256 is stored. A
call with ``Authorization: Bearer posk_...`` acts as a :class:`Caller` of kind
``staff`` with ``key_id`` set and ``staff_id`` the manager who made the key. Every call
is matched against the routes the key's scopes open (:data:`SCOPES`): anything else is
403, and the key routes themselves are open to no key. The call then carries the roles
of the scopes that open it, and only those, for the routes' own guards. See
docs/decisions/1270-api-keys-act-as-scoped-staff.md.

:class:`KeyRing` (``app.state.key_ring``) keeps each key it read for :data:`FRESH_SECONDS`;
rotating or revoking a key drops it at once in this process (others see it within
:data:`FRESH_SECONDS`, as with staff sessions). It also counts each key's calls a minute
(429 past its ``rate_per_minute``) and records every call in the audit trail
(``api_key.call``) with the key's ``last_used_at``.
"""

from __future__ import annotations

import base64
import hashlib
import re
import secrets
import time
from dataclasses import dataclass

import msgspec
import structlog
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pos_service.audit import service as audit
from pos_service.core.auth import API_KEY_PREFIX, Caller
from pos_service.core.db import now_utc
from pos_service.core.errors import Conflict, Forbidden, NotFound, TooManyAttempts, Unauthorized
from pos_service.integrations.models import ApiKey
from pos_service.integrations.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead

log = structlog.get_logger(__name__)

FRESH_SECONDS = 0.4
READ = ("GET", "HEAD")
ANY = ("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE")


@dataclass(frozen=True)
class Grant:
    """What one scope opens: these methods on paths under these prefixes, with a role."""

    methods: tuple[str, ...]
    prefixes: tuple[str, ...]
    role: str


SCOPES: dict[str, Grant] = {
    "menu:read": Grant(READ, ("/api/menu",), "waiter"),
    "menu:write": Grant(ANY, ("/api/menu",), "manager"),
    "orders:read": Grant(READ, ("/api/checks",), "waiter"),
    "orders:write": Grant(ANY, ("/api/checks", "/api/payments"), "waiter"),
    "sales:read": Grant(READ, ("/api/reports", "/api/days", "/api/journal"), "manager"),
    "guests:read": Grant(READ, ("/api/guests",), "host"),
    "reservations:read": Grant(READ, ("/api/reservations", "/api/waitlist"), "host"),
    "reservations:write": Grant(ANY, ("/api/reservations", "/api/waitlist"), "host"),
    "stock:read": Grant(READ, ("/api/stock",), "manager"),
    "webhooks": Grant(ANY, ("/api/webhooks",), "manager"),
}
"""Each scope: the routes it opens and the role their guards need. The roles only pass
the guards; the prefixes are the fence."""

_SAFE_PATH = re.compile(r"^/api(/[A-Za-z0-9_.\-]+)+/?$")


def _hash(key: str) -> bytes:
    return hashlib.sha256(key.encode()).digest()


def _new_key() -> str:
    raw = secrets.token_bytes(32)
    return API_KEY_PREFIX + base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def roles_for(scopes: frozenset[str], method: str, path: str) -> frozenset[str]:
    """The roles a key with ``scopes`` calls ``method path`` with: those of the scopes
    that open it (none: the call is refused). Only these, so one scope's role never
    passes a guard on another scope's routes (``sales:read`` carries the manager's role,
    yet a key with it and ``orders:write`` cannot refund)."""
    if not _SAFE_PATH.match(path) or "/." in path:
        return frozenset()
    roles = set()
    for scope in scopes:
        grant = SCOPES.get(scope)
        if grant is None or method not in grant.methods:
            continue
        if any(path == p or path.startswith(p + "/") for p in grant.prefixes):
            roles.add(grant.role)
    return frozenset(roles)


def _read(row: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=row.id,
        name=row.name,
        prefix=row.prefix,
        scopes=list(row.scopes),
        rate_per_minute=row.rate_per_minute,
        created_by=row.created_by,
        created_at=row.created_at,
        last_used_at=row.last_used_at,
        rotated_at=row.rotated_at,
        revoked_at=row.revoked_at,
    )


async def create(session: AsyncSession, caller: Caller, data: ApiKeyCreate) -> ApiKeyCreated:
    """A new key; the answer carries the key itself, shown this once."""
    key = _new_key()
    row = ApiKey(
        venue_id=caller.venue_id,
        name=data.name,
        prefix=key[:12],
        key_hash=_hash(key),
        scopes=sorted({str(s) for s in data.scopes}),
        rate_per_minute=data.rate_per_minute,
        created_by=caller.actor,
    )
    session.add(row)
    await session.flush()
    await session.refresh(row)
    await audit.record(
        session,
        caller,
        "api_key.created",
        f"api_key:{row.id}",
        {"name": row.name, "scopes": list(row.scopes), "rate_per_minute": row.rate_per_minute},
    )
    return ApiKeyCreated(**msgspec.structs.asdict(_read(row)), key=key)


async def list_keys(session: AsyncSession, caller: Caller) -> list[ApiKeyRead]:
    rows = (
        await session.execute(
            select(ApiKey).where(ApiKey.venue_id == caller.venue_id).order_by(ApiKey.id)
        )
    ).scalars()
    return [_read(row) for row in rows]


async def _get(session: AsyncSession, caller: Caller, key_id: int) -> ApiKey:
    row = await session.get(ApiKey, (caller.venue_id, key_id), with_for_update=True)
    if row is None:
        raise NotFound("no API key {key_id}", key_id=key_id, field="key_id")
    return row


async def rotate(session: AsyncSession, caller: Caller, key_id: int) -> ApiKeyCreated:
    """A new secret for the key: the old one is refused from now on."""
    row = await _get(session, caller, key_id)
    if row.revoked_at is not None:
        raise Conflict("API key {key_id} is revoked", key_id=key_id, field="key_id")
    key = _new_key()
    row.key_hash, row.prefix, row.rotated_at = _hash(key), key[:12], now_utc()
    await session.flush()
    await audit.record(session, caller, "api_key.rotated", f"api_key:{row.id}", {"name": row.name})
    return ApiKeyCreated(**msgspec.structs.asdict(_read(row)), key=key)


async def revoke(session: AsyncSession, caller: Caller, key_id: int) -> ApiKeyRead:
    """Revoke the key: refused at once."""
    row = await _get(session, caller, key_id)
    if row.revoked_at is None:
        row.revoked_at = now_utc()
        await session.flush()
        await audit.record(
            session, caller, "api_key.revoked", f"api_key:{row.id}", {"name": row.name}
        )
    return _read(row)


class _Known:
    __slots__ = ("caller", "calls", "rate", "read_at", "scopes")

    def __init__(self, caller: Caller, scopes: frozenset[str], rate: int) -> None:
        self.caller = caller
        self.scopes = scopes
        self.rate = rate
        self.read_at = time.monotonic()
        self.calls = (0, 0)
        """(minute, calls in it)"""


class KeyRing:
    """See the module docstring. One per process (``app.state.key_ring``)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self._sessions = sessions
        self._known: dict[bytes, _Known] = {}

    async def caller(self, key: str) -> Caller:
        """The caller of a live key: 401 for an unknown, rotated or revoked one."""
        digest = _hash(key)
        known = self._known.get(digest)
        if known is None or time.monotonic() - known.read_at > FRESH_SECONDS:
            known = await self._load(digest, known)
        return known.caller

    def admit(self, key: str, method: str, path: str) -> Caller:
        """After :meth:`caller`: the caller for this call, with the roles of the scopes
        that open it; 403 if none does; 429 past the key's calls a minute."""
        known = self._known.get(_hash(key))
        if known is None:
            raise Unauthorized("unknown or revoked API key", field="Authorization")
        roles = roles_for(known.scopes, method, path)
        if not roles:
            raise Forbidden("this API key's scopes do not cover this call", field="Authorization")
        minute = int(time.time() // 60)
        at, count = known.calls
        known.calls = (minute, count + 1 if at == minute else 1)
        if known.calls[1] > known.rate:
            raise TooManyAttempts(
                "more than {rate} calls a minute with this key",
                rate=known.rate,
                field="Authorization",
                retry_after=60 - int(time.time()) % 60,
            )
        return msgspec.structs.replace(known.caller, roles=roles)

    async def _load(self, digest: bytes, before: _Known | None) -> _Known:
        self._known.pop(digest, None)
        async with self._sessions() as session, session.begin():
            row = (
                await session.execute(
                    select(ApiKey).where(ApiKey.key_hash == digest, ApiKey.revoked_at.is_(None))
                )
            ).scalar_one_or_none()
        if row is None:
            raise Unauthorized("unknown or revoked API key", field="Authorization")
        scopes = frozenset(row.scopes)
        caller = Caller(
            kind="staff",
            venue_id=row.venue_id,
            staff_id=row.created_by,
            name=f"API key {row.name}",
            roles=frozenset(),  # per call: see admit()
            key_id=row.id,
        )
        known = _Known(caller, scopes, row.rate_per_minute)
        if before is not None:
            known.calls = before.calls
        self._known[digest] = known
        return known

    def forget(self, venue_id: int, key_id: int) -> None:
        """Drop the key at once (after rotating or revoking it)."""
        for digest, known in list(self._known.items()):
            if (known.caller.venue_id, known.caller.key_id) == (venue_id, key_id):
                del self._known[digest]

    async def called(self, caller: Caller, method: str, path: str, status: int) -> None:
        """Record a call made with the key in the audit trail; note its last use."""
        try:
            async with self._sessions() as session, session.begin():
                await audit.record(
                    session,
                    caller,
                    "api_key.call",
                    f"api_key:{caller.key_id}",
                    {"method": method, "path": path, "status": status},
                )
                await session.execute(
                    update(ApiKey)
                    .where(ApiKey.venue_id == caller.venue_id, ApiKey.id == caller.key_id)
                    .values(last_used_at=now_utc())
                )
        except Exception as exc:  # the answer is sent; a lost trail entry is logged
            log.warning("api key call not recorded", key_id=caller.key_id, error=repr(exc))
