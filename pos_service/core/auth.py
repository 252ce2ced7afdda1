"""Signed bearer tokens, PIN hashing, the authentication middleware and role guards.

Tokens are ``base64url(payload).base64url(HMAC-SHA256(payload))`` with a msgspec JSON
payload, in canonical unpadded base64url only. A staff token names the venue, staff
member, roles, the enrolled device it was issued on and the member's session epoch; the
:class:`~pos_service.core.sessions.SessionGuard` checks the last two against the
database (cached for a fraction of a second) on every request and socket, so a role
change, deactivation, PIN change or device revocation ends the session. A guest token
names one check.

The installation secret is never used directly: the token-signing key and the PIN
lookup key are derived from it under separate labels (see docs/security.md).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import time
from collections.abc import Awaitable, Callable
from typing import Any, Literal

import msgspec
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import Message, Receive, Scope, Send

from pos_service.core.errors import (
    LANGUAGE_STATE,
    VENUE_LANGUAGE_STATE,
    DomainError,
    Forbidden,
    Unauthorized,
    UnsupportedMediaType,
)

API_KEY_PREFIX = "posk_"
KEY_CALLER = "pos_key_caller"

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
    epoch: int = 0
    """The staff member's session epoch when the token was issued."""
    key_id: int | None = None
    """The API key calling (its roles come from its scopes; see
    ``pos_service.integrations.keys``); None for a signed-in person."""

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
    device_id: int | None = None
    epoch: int = 0


_encode_payload = msgspec.json.Encoder().encode
_decode_payload = msgspec.json.Decoder(_Payload).decode


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


_B64URL = re.compile(r"[A-Za-z0-9_-]*")


def _unb64(text: str) -> bytes:
    """Decode canonical unpadded base64url only: no padding, no foreign characters, no
    stray bits, so each token has exactly one spelling."""
    if not _B64URL.fullmatch(text) or len(text) % 4 == 1:
        raise ValueError("not canonical base64url")
    raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64(raw) != text:
        raise ValueError("not canonical base64url")
    return raw


def derive_key(secret_key: str, label: str) -> bytes:
    """A key for one purpose, derived from the installation secret (HMAC-SHA256 as a
    PRF, as HKDF-Expand does for one block)."""
    return hmac.new(secret_key.encode(), b"pos_service/" + label.encode(), hashlib.sha256).digest()


VERIFIED_KEPT = 10_000
"""How many verified tokens :class:`TokenSigner` remembers (a handheld sends the same token
with every request; past this many, the memory is emptied and refilled)."""


class TokenSigner:
    """Issues and verifies tokens; also keys the PIN lookup digest, with its own key.

    A token that verified once is remembered with its :class:`Caller` (the signature of
    the same bytes cannot stop being valid): the next request with it skips the base64,
    the HMAC and the decoding, and is only checked for expiry. A forged or malformed
    token is never remembered."""

    def __init__(self, secret_key: str) -> None:
        self._verified: dict[str, Caller] = {}
        self._key = derive_key(secret_key, "token-signing")
        self._pin_key = derive_key(secret_key, "pin-lookup")
        # the single key of older versions, for finding PIN digests made with it
        self._legacy_key = hashlib.sha256(b"pos-token:" + secret_key.encode()).digest()

    def issue(self, caller: Caller, ttl_seconds: int) -> str:
        payload = _Payload(
            caller.kind,
            caller.venue_id,
            caller.staff_id,
            caller.name,
            sorted(caller.roles),
            caller.check_id,
            int(time.time()) + ttl_seconds,
            caller.device_id,
            caller.epoch,
        )
        body = _encode_payload(payload)
        return f"{_b64(body)}.{_b64(self._sign(body))}"

    def verify(self, token: str) -> Caller:
        """The caller a token names; raises :class:`Unauthorized` if forged or expired."""
        caller = self._verified.get(token)
        if caller is None:
            caller = self._verify(token)
            if len(self._verified) >= VERIFIED_KEPT:
                self._verified.clear()
            self._verified[token] = caller
        if caller.exp < time.time():
            raise Unauthorized("token expired", field="token")
        return caller

    def _verify(self, token: str) -> Caller:
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
            device_id=p.device_id,
            epoch=p.epoch,
        )

    def digest(self, text: str) -> str:
        """The keyed PIN lookup digest; not reversible, keyed apart from the tokens."""
        return hmac.new(self._pin_key, text.encode(), hashlib.sha256).hexdigest()

    def legacy_digest(self, text: str) -> str:
        """The lookup digest as older versions made it (with the token key)."""
        return hmac.new(self._legacy_key, text.encode(), hashlib.sha256).hexdigest()

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
    """Sets ``connection.user`` to the :class:`Caller` of a valid bearer token, or of an
    API key (``posk_...``, checked by ``state.key_ring``: its scope, its rate, and every call
    recorded in the audit trail)."""

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not any(
            name == b"authorization" and API_KEY_PREFIX.encode() in value
            for name, value in scope.get("headers", ())
        ):
            await super().__call__(scope, receive, send)  # a staff token: nothing to audit
            return
        status: list[int] = []
        recorded: list[bool] = []

        async def record() -> None:
            caller = scope.get("state", {}).get(KEY_CALLER)
            if isinstance(caller, Caller) and not recorded:
                recorded.append(True)
                code = status[0] if status else 500
                await scope["app"].state.key_ring.called(
                    caller, scope.get("method", "GET"), scope["path"], code
                )

        async def watch(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(message["status"])
            elif message["type"] == "http.response.body" and not message.get("more_body"):
                await record()  # before the answer completes, so the trail is never behind
            await send(message)

        try:
            await super().__call__(scope, receive, watch)
        except DomainError as exc:
            status.append(exc.status)
            await record()
            raise

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        header = connection.headers.get("authorization", "")
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token:
            raise Unauthorized("missing bearer token", field="Authorization")
        state = connection.app.state
        if token.startswith(API_KEY_PREFIX):
            key_caller = await state.key_ring.caller(token.strip())
            connection.scope.setdefault("state", {})[KEY_CALLER] = key_caller
            key_caller = state.key_ring.admit(
                token.strip(), connection.scope.get("method", "GET"), connection.scope["path"]
            )
            return AuthenticationResult(user=key_caller, auth=token)
        signer: TokenSigner = state.signer
        caller = signer.verify(token.strip())
        if caller.kind != "staff":
            raise Forbidden("a guest link only opens its own check", field="Authorization")
        refusal = await state.guard.refusal(caller)
        if refusal is not None:
            raise Unauthorized(refusal, field="Authorization")
        own, venue = state.guard.language(caller)
        scope_state = connection.scope.setdefault("state", {})
        if own is not None:  # the answer, an error's too, speaks the member's language
            scope_state[LANGUAGE_STATE] = own
        if venue is not None:  # else the page's (Accept-Language), else the venue's
            scope_state[VENUE_LANGUAGE_STATE] = venue
        return AuthenticationResult(user=caller, auth=token)


Guard = Callable[[ASGIConnection[Any, Any, Any, Any], BaseRouteHandler], Awaitable[None]]
"""A route guard. Guards are coroutine functions: Litestar runs a plain function guard in a
worker thread, a thread hand-off on every request (decision 1563)."""


def requires(*roles: Role) -> Guard:
    """A guard letting through staff with any of ``roles`` (managers always)."""

    async def guard(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
        caller = connection.user
        if not isinstance(caller, Caller) or not caller.has_any(*roles):
            raise Forbidden(
                "requires one of the roles: {roles}",
                roles=", ".join(roles) or "manager",
                field="Authorization",
            )

    return guard


async def owner_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard for the routes of a venue group: only its owners (managers do not pass)."""
    caller = connection.user
    if not isinstance(caller, Caller) or "owner" not in caller.roles:
        raise Forbidden("requires the role: owner", field="Authorization")


async def json_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard for PIN and pairing routes: the body must be JSON, so a foreign web page
    cannot post one from a staff device (``text/plain`` needs no CORS preflight)."""
    media_type = connection.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType("the body must be application/json", field="Content-Type")


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The client's address: the peer, or the nearest untrusted hop of
    ``X-Forwarded-For`` when the peer is one of the trusted proxies
    (``POS_TRUSTED_PROXIES``)."""
    peer = connection.client.host if connection.client else "unknown"
    trusted: frozenset[str] = connection.app.state.settings.trusted_proxies
    if peer not in trusted:
        return peer
    hops = [hop.strip() for hop in connection.headers.get("x-forwarded-for", "").split(",")]
    for hop in reversed(hops):
        if hop and hop not in trusted:
            return hop
    return peer


def caller_of(connection: ASGIConnection[Any, Any, Any, Any]) -> Caller:
    """Dependency: the authenticated caller."""
    caller = connection.user
    assert isinstance(caller, Caller)
    return caller
