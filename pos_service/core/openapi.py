"""The OpenAPI document, made for generated clients (see docs/integrations.md).

Applied to every route of the app, so a new controller gets it without doing anything:

- operation ids a person would name: the handler's name in camelCase (``add_line`` is
  ``addLine``); a one-word handler takes its controller's noun (``split`` in
  ``BillsController`` is ``splitBill``, ``send`` in ``KitchenChecksController`` is
  ``sendCheck``); a name two routes would share takes the whole noun. A handler's own
  ``operation_id`` wins.
- unique schema names: two structs of one name in two packages become
  ``<Package><Name>`` (``MenuStationRead``, ``KitchenStationRead``), and every schema's
  title is its name, which is what generators name classes by;
- the ``Idempotency-Key`` header declared on every mutating operation;
- the problem answers described on every operation: 401/403 where a token is needed,
  404 where a path names something, 409 on writes, 422, 429 and 503 everywhere;
- the bearer scheme (a staff token or an API key) among the components (not required per
  operation: how to call is in the description, and a generated client sends the token
  it is given), examples on the main requests, and a tag for every operation.
"""

from __future__ import annotations

import dataclasses
import re
from collections import Counter
from typing import Any

from litestar import Litestar
from litestar._openapi.plugin import OpenAPIPlugin
from litestar.handlers import HTTPRouteHandler
from litestar.openapi.spec import (
    Components,
    OpenAPI,
    OpenAPIMediaType,
    OpenAPIResponse,
    OpenAPIType,
    Operation,
    Parameter,
    PathItem,
    Reference,
    Schema,
    SecurityScheme,
)
from litestar.routes import HTTPRoute
from litestar.types import Method

from pos_service.core.errors import _DESCRIPTIONS, PROBLEM_JSON

MUTATING = ("post", "put", "patch", "delete")
PROBLEM_REF = "#/components/schemas/Problem"
IDEMPOTENCY_KEY = Parameter(
    name="Idempotency-Key",
    param_in="header",
    required=False,
    description=(
        "Any string of 1 to 200 characters, new for each change: a retry with the same "
        "key returns the first answer and changes nothing."
    ),
    schema=Schema(type=OpenAPIType.STRING, min_length=1, max_length=200),
)
EXAMPLES: dict[str, dict[str, Any]] = {
    "openCheck": {"table_id": 1, "covers": 2},
    "addLine": {"item_id": 1, "quantity": 2, "note": "no onions"},
    "sendCheck": {"version": 3},
    "splitBill": {"mode": "even", "n": 2},
    "payBill": {"method": "cash", "amount": 2400, "tendered": 3000},
    "createApiKey": {"name": "Accounting", "scopes": ["sales:read"], "rate_per_minute": 60},
    "createWebhook": {
        "url": "https://example.com/pos-hook",
        "events": ["check.opened", "payment.changed"],
    },
}
"""Request examples by operation id (an example naming a field a request lacks is
dropped, so a renamed field cannot leave a wrong example behind)."""

_WORD = re.compile(r"[A-Z][a-z0-9]*")


def _camel(name: str) -> str:
    head, *rest = name.strip("_").split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _singular(word: str) -> str:
    return word[:-1] if word.endswith("s") and not word.endswith("ss") else word


def _noun(handler: HTTPRouteHandler) -> list[str]:
    """The words of the handler's controller name, without ``Controller``, singular (or
    of its path's last literal part, for a handler outside a controller)."""
    owner = getattr(handler.fn, "__qualname__", "").rpartition(".")[0]
    if owner.endswith("Controller"):
        words = _WORD.findall(owner.removesuffix("Controller"))
    else:
        path = sorted(handler.paths)[0] if handler.paths else ""
        parts = [p for p in path.split("/") if p and "{" not in p]
        words = [_camel(parts[-1].replace("-", "_")).capitalize()] if parts else []
    return [_singular(w) for w in words]


_IDS: dict[int, tuple[HTTPRouteHandler, str]] = {}
"""The operation id of each handler of the apps built, by ``id(handler)``."""


def operation_id(handler: HTTPRouteHandler, method: Method, components: list[Any]) -> str:
    """The operation id of a route (see the module docstring)."""
    known = _IDS.get(id(handler))
    if known is not None and known[0] is handler:
        return known[1]
    return _short(handler)


def _short(handler: HTTPRouteHandler) -> str:
    if isinstance(handler.operation_id, str):
        return handler.operation_id
    fn = handler.handler_name.rstrip("_")  # ``import_``: a keyword's spelling as a name
    if "_" in fn:
        return _camel(fn)
    noun = (_noun(handler) or ["Api"])[-1]
    if fn.lower() in (noun.lower(), "get"):
        return "get" + noun
    if fn == "list":
        return "list" + noun + "s"
    return fn + noun


def _qualified(handler: HTTPRouteHandler) -> str:
    fn = handler.handler_name.rstrip("_")
    return _camel(fn) + "".join(_noun(handler))


def _operations(item: PathItem) -> list[tuple[str, Operation]]:
    ops = []
    for method in ("get", "put", "post", "delete", "patch", "head", "options", "trace"):
        op = getattr(item, method, None)
        if isinstance(op, Operation):
            ops.append((method, op))
    return ops


def _rename_refs(node: Any, renames: dict[str, str], seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, Reference):
        name = node.ref.rsplit("/", 1)[-1]
        if name in renames:
            node.ref = "#/components/schemas/" + renames[name]
        return
    if isinstance(node, dict):
        for value in node.values():
            _rename_refs(value, renames, seen)
    elif isinstance(node, list | tuple):
        for value in node:
            _rename_refs(value, renames, seen)
    elif dataclasses.is_dataclass(node) and not isinstance(node, type):
        for f in dataclasses.fields(node):
            _rename_refs(getattr(node, f.name), renames, seen)


def _unique_schema_names(doc: OpenAPI) -> None:
    components = doc.components
    assert isinstance(components, Components)
    renames: dict[str, str] = {}
    for key in list(components.schemas):
        if "_" not in key:
            continue
        parts = key.split("_")
        renames[key] = parts[0][:1].upper() + parts[0][1:] + parts[-1]
    if renames:
        _rename_refs(doc, renames, set())
        components.schemas = {renames.get(k, k): v for k, v in components.schemas.items()}
    for key, schema in components.schemas.items():
        schema.title = key


def _problem(code: int) -> OpenAPIResponse:
    return OpenAPIResponse(
        description=_DESCRIPTIONS[code],
        content={PROBLEM_JSON: OpenAPIMediaType(schema=Reference(ref=PROBLEM_REF))},
    )


def _describe(path: str, method: str, op: Operation, public: bool) -> None:
    if method in MUTATING:
        params = list(op.parameters or [])
        if not any(isinstance(p, Parameter) and p.name == "Idempotency-Key" for p in params):
            params.append(IDEMPOTENCY_KEY)
        op.parameters = params
    codes = {422, 429, 503}
    if not public:
        codes |= {401, 403}
    if "{" in path:
        codes.add(404)
    if method in MUTATING:
        codes.add(409)
    responses = op.responses if op.responses is not None else {}
    for code in sorted(codes):
        responses.setdefault(str(code), _problem(code))
    op.responses = responses
    if not op.tags:
        op.tags = [path.strip("/").split("/")[1 if path.startswith("/api/") else 0] or "root"]


def _example(op: Operation, components: Components) -> None:
    example = EXAMPLES.get(op.operation_id or "")
    body = op.request_body
    if example is None or body is None or isinstance(body, Reference):
        return
    media = body.content.get("application/json")
    if media is None or not isinstance(media.schema, Reference):
        return
    schema = components.schemas.get(media.schema.ref.rsplit("/", 1)[-1])
    if schema is not None and set(example) <= set(schema.properties or {}):
        media.example = example


class DocumentPlugin(OpenAPIPlugin):
    """Litestar's OpenAPI plugin, with the document finished as the module docstring says."""

    __slots__ = ()
    public_paths: tuple[re.Pattern[str], ...] = ()

    def _build_openapi(self) -> OpenAPI:
        doc = super()._build_openapi()
        for path, item in (doc.paths or {}).items():
            public = any(p.search(path) for p in self.public_paths)
            for method, op in _operations(item):
                _describe(path, method, op, public)
        _unique_schema_names(doc)
        components = doc.components
        assert isinstance(components, Components)
        for item in (doc.paths or {}).values():
            for _, op in _operations(item):
                _example(op, components)
        components.security_schemes = {
            "bearer": SecurityScheme(
                type="http",
                scheme="bearer",
                description="A staff token from sign-in, or an API key (`posk_...`).",
            )
        }
        return doc


def install(app: Litestar, public_paths: list[str]) -> None:
    """Finish ``app``'s OpenAPI document as the module docstring says."""
    handlers = {
        id(h): h
        for route in app.routes
        if isinstance(route, HTTPRoute)
        for h in route.route_handlers
    }
    short = {key: _short(h) for key, h in handlers.items()}
    counts = Counter(short.values())
    taken: set[str] = set()
    for key, h in sorted(handlers.items(), key=lambda kv: short[kv[0]]):
        name = short[key] if counts[short[key]] == 1 else _qualified(h)
        while name in taken:
            name += "Again"
        taken.add(name)
        _IDS[key] = (h, name)
    plugin = app.plugins.get(OpenAPIPlugin)
    plugin.__class__ = DocumentPlugin
    DocumentPlugin.public_paths = tuple(re.compile(p) for p in public_paths)
    plugin._openapi = None
    plugin._openapi_schema = None
