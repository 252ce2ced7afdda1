"""Edges every request passes: the JSON depth limit, ``OPTIONS``, and security headers.

- :func:`guard_input` (the app's ``before_request`` hook, so it runs before any handler
  decodes a body, on public routes too) answers a body nested deeper than
  :data:`MAX_JSON_DEPTH` with 422, then refuses NUL characters
  (:func:`pos_service.core.textguard.refuse_nul`).
- :class:`OptionsMiddleware` answers ``OPTIONS`` with the route's ``Allow`` header before
  authentication and guards run (a preflight from another origin is the CORS
  middleware's, which allows none). Unknown methods are answered 405 by the router.
- :func:`security_headers` (a ``before_send`` hook: every answer, errors and 404s included)
  sets the content security policy, ``nosniff``, the referrer policy, no framing, and
  ``Cache-Control: no-store`` on the API and the guest pages.

See ``docs/security.md`` ("Hardening").
"""

from __future__ import annotations

import base64
import hashlib
import re
from typing import TYPE_CHECKING, Any

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware

from pos_service.core.errors import Invalid
from pos_service.core.textguard import refuse_nul

if TYPE_CHECKING:
    from litestar import Litestar, Request
    from litestar.types import (
        ASGIApp,
        HTTPResponseBodyEvent,
        HTTPResponseStartEvent,
        Message,
        Receive,
        Scope,
        Send,
    )

MAX_JSON_DEPTH = 32
"""The deepest nesting of arrays and objects a request body may have (the API's own
bodies nest a few levels; a whole menu with groups and options fits well within)."""

_TOKENS = re.compile(rb'"(?:[^"\\]|\\.)*"|[\[\]{}]', re.DOTALL)
_OPEN = frozenset(b"[{")
_BODYLESS = frozenset({"GET", "HEAD", "OPTIONS"})


def json_depth(body: bytes, limit: int = MAX_JSON_DEPTH) -> int:
    """How deep ``body`` nests arrays and objects (brackets inside strings do not count);
    counting stops past ``limit``."""
    depth = deepest = 0
    for token in _TOKENS.finditer(body):
        first = token.group()[0]
        if first in _OPEN:
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    break
        elif first != 0x22:  # a closing bracket; strings are skipped
            depth -= 1
    return deepest


async def guard_input(request: Request[Any, Any, Any]) -> None:
    """``before_request``: 422 for a body nested too deep, then the NUL check."""
    if request.method not in _BODYLESS:
        body = await request.body()
        # fewer brackets than the limit cannot nest deeper: most bodies end here
        brackets = body.count(b"[") + body.count(b"{")
        if brackets > MAX_JSON_DEPTH and json_depth(body) > MAX_JSON_DEPTH:
            raise Invalid(
                "the body nests deeper than {levels} levels", levels=MAX_JSON_DEPTH, field="body"
            )
    await refuse_nul(request)


class OptionsMiddleware(ASGIMiddleware):
    """``OPTIONS`` answered from the route's methods, before authentication and guards."""

    scopes = (ScopeType.HTTP,)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        if scope["type"] != ScopeType.HTTP or scope["method"] != "OPTIONS":
            await next_app(scope, receive, send)
            return
        methods = _methods(scope["litestar_app"], scope.get("path_template", ""))
        start: HTTPResponseStartEvent = {
            "type": "http.response.start",
            "status": 204,
            "headers": [(b"allow", ", ".join(sorted(methods)).encode())],
        }
        body: HTTPResponseBodyEvent = {
            "type": "http.response.body",
            "body": b"",
            "more_body": False,
        }
        await send(start)
        await send(body)


def _methods(app: Litestar, template: str) -> set[str]:
    cache: dict[str, set[str]] | None = getattr(app.state, "_route_methods", None)
    if cache is None:
        cache = {}
        for route in app.routes:
            methods = getattr(route, "methods", None)
            if methods:
                for key in {route.path, getattr(route, "path_format", route.path)}:
                    cache.setdefault(key, set()).update(str(m) for m in methods)
        app.state._route_methods = cache
    return cache.get(template, {"OPTIONS"}) | {"OPTIONS"}


def _style_hashes(*styles: str) -> str:
    return " ".join(
        f"'sha256-{base64.b64encode(hashlib.sha256(s.encode()).digest()).decode()}'" for s in styles
    )


def content_security_policy(inline_styles: tuple[str, ...] = ()) -> str:
    """The pages' policy: scripts and styles only from this server's files (and the
    named inline style blocks by hash), no plugins, no framing, no foreign forms."""
    style = f"'self' {_style_hashes(*inline_styles)}".strip()
    return (
        "default-src 'self'; script-src 'self'; "
        f"style-src {style}; img-src 'self' data:; connect-src 'self'; "
        "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )


DOCS_POLICY = "object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
"""The OpenAPI viewer pages under /schema load their viewer from a CDN: framing and
plugins are refused there too, the rest is the viewer's."""


class SecurityHeaders:
    """The ``before_send`` hook adding the security headers to every HTTP answer.

    The headers are encoded once, here; an answer's own header of the same name is
    replaced (the policy is this server's), ``Cache-Control`` only set where the answer
    has none."""

    def __init__(self, csp: str) -> None:
        self.csp = csp
        common = [
            (b"x-content-type-options", b"nosniff"),
            (b"x-frame-options", b"DENY"),
            (b"referrer-policy", b"no-referrer"),
            (b"cross-origin-opener-policy", b"same-origin"),
        ]
        self._pages = [(b"content-security-policy", csp.encode()), *common]
        self._docs = [(b"content-security-policy", DOCS_POLICY.encode()), *common]
        self._names = frozenset(name for name, _ in self._pages)

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":
            return
        path: str = scope.get("path", "")
        schema_page = path.startswith("/schema") and not path.endswith((".json", ".yaml"))
        names = self._names
        headers = [
            (name, value) for name, value in message.get("headers", ()) if name.lower() not in names
        ]
        headers += self._docs if schema_page else self._pages
        if path.startswith(("/api/", "/guest/")) and not any(
            name.lower() == b"cache-control" for name, _ in headers
        ):
            headers.append((b"cache-control", b"no-store"))
        message["headers"] = headers
