"""Signed bearer tokens, PIN hashing, the authentication middleware and role guards.

Tokens are ``base64url(payload).base64url(HMAC-SHA256(payload))`` with a msgspec JSON
payload: short, stateless, and checked in microseconds on every request and WebSocket.
A staff token names the venue, staff member and roles; a guest token names one check.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from collections.abc import Callable
from typing import Any, Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from pos_service.core.errors import Forbidden, Unauthorized

ROLES = ("waiter", "host", "kitchen", "bar", "manager", "printer", "owner")
Role = Literal["waiter", "host", "kitchen", "bar", "manager", "printer", "owner"]
"""``printer`` is the print agent's role: it may claim and acknowledge print jobs.
``owner`` is a venue group's owner: it opens the group's routes (see :func:`owner_only`)
and nothing else, so an owner who also runs a venue holds ``manager`` there too."""


class Caller(msgspec.Struct, frozen=True, kw_only=True):
    """Who is calling: a staff member of one venue, or a guest holding one check's link."""

    kind: Literal["staff", "guest"]
    venue_id: int
    staff_id: int | None = None
    name: str = ""
    roles: frozenset[str] = frozenset()
    check_id: int | None = None
    exp: int = 0
    device_id: int | None = None
    """The enrolled device the caller signed in on (None where there is none)."""

    def has_any(self, *roles: str) -> bool:
        return "manager" in self.roles or any(role in self.roles for role in roles)

    @property
    def actor(self) -> int:
        """The staff id acting; guests act as nobody (0)."""
        return self.staff_id or 0


class _Payload(msgspec.Struct, frozen=True, array_like=True):
    kind: str
    venue_id: int
    staff_id: int | None
    name: str
    roles: list[str]
    check_id: int | None
    exp: int


_encode_payload = msgspec.json.Encoder().encode
_decode_payload = msgspec.json.Decoder(_Payload).decode


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenSigner:
    """Issues and verifies tokens with the installation's secret key."""

    def __init__(self, secret_key: str) -> None:
        self._key = hashlib.sha256(b"pos-token:" + secret_key.encode()).digest()

    def issue(self, caller: Caller, ttl_seconds: int) -> str:
        payload = _Payload(
            caller.kind,
            caller.venue_id,
            caller.staff_id,
            caller.name,
            sorted(caller.roles),
            caller.check_id,
            int(time.time()) + ttl_seconds,
        )
        body = _encode_payload(payload)
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def verify(self, token: str) -> Caller:
        """The caller a token names; raises :class:`Unauthorized` if forged or expired."""
        try:
            body_part, sig_part = token.split(".", 1)
            body = _unb64(body_part)
            ok = hmac.compare_digest(_unb64(sig_part), self._sign(body))
        except (ValueError, TypeError) as exc:
            raise Unauthorized("malformed token", field="token") from exc
        if not ok:
            raise Unauthorized("invalid token signature", field="token")
        try:
            p = _decode_payload(body)
        except msgspec.DecodeError as exc:
            raise Unauthorized("malformed token", field="token") from exc
        if p.exp < time.time():
            raise Unauthorized("token expired", field="token")
        if p.kind not in ("staff", "guest"):
            raise Unauthorized("malformed token", field="token")
        return Caller(
            kind="staff" if p.kind == "staff" else "guest",
            venue_id=p.venue_id,
            staff_id=p.staff_id,
            name=p.name,
            roles=frozenset(p.roles),
            check_id=p.check_id,
            exp=p.exp,
        )

    def digest(self, text: str) -> str:
        """A keyed digest (for PIN lookup and approval tokens); not reversible."""
        return hmac.new(self._key, text.encode(), hashlib.sha256).hexdigest()

    def _sign(self, body: bytes) -> bytes:
        return hmac.new(self._key, body, hashlib.sha256).digest()


class PinHasher:
    """Slow salted PIN hashes (argon2id)."""

    def __init__(self, time_cost: int, memory_kib: int) -> None:
        self._hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_kib, parallelism=1)

    def hash(self, pin: str) -> str:
        return self._hasher.hash(pin)

    def verify(self, pin_hash: str, pin: str) -> bool:
        try:
            return self._hasher.verify(pin_hash, pin)
        except (VerificationError, InvalidHashError):
            return False


class BearerAuthMiddleware(AbstractAuthenticationMiddleware):
    """Sets ``connection.user`` to the :class:`Caller` of a valid bearer token."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("missing bearer token", field="Authorization")
        signer: TokenSigner = connection.app.state.signer
        caller = signer.verify(token.strip())
        if caller.kind != "staff":
            raise Forbidden("a guest link only opens its own check", field="Authorization")
        return AuthenticationResult(user=caller, auth=token)


def requires(
    *roles: Role,
) -> Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], None]:
    """A guard letting through staff with any of ``roles`` (managers always)."""

    def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        caller = connection.user
        if not isinstance(caller, Caller) or not caller.has_any(*roles):
            raise Forbidden(
                f"requires one of the roles: {', '.join(roles) or 'manager'}", field="Authorization"
            )

    return guard


def owner_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard for the routes of a venue group: only its owners (managers do not pass)."""
    caller = connection.user
    if not isinstance(caller, Caller) or "owner" not in caller.roles:
        raise Forbidden("requires the role: owner", field="Authorization")


def caller_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """Dependency: the authenticated caller."""
    caller = connection.user
    assert isinstance(caller, Caller)
    return caller
