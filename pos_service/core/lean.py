"""A lean call of a hot route's handler: no dependency injection, no signature model.

Litestar calls a handler after building its arguments: the kwargs model extracts the
path parameters and the body (decoded into builtins), the dependencies are resolved
(``uow`` through ``Provide``), and the signature model converts and validates it all.
For a hot write that is done again on every request for the same three things: an id
from the path, a JSON body of one Struct, the unit of work.

``@lean`` above a route's decorator makes its handler's arguments directly::

    @lean
    @post("/{check_id:int}/send", status_code=200, responses=problems(404, 409))
    async def send(self, uow: UoW, check_id: PathId, data: JSONBody[CheckWrite]) -> ...:

It sets the route's ``before_request`` hook (Litestar: a value it returns is the answer
and the handler is not called again). The hook first runs the hook the route had before
(the application's input guard), then makes the handler's arguments from a plan read
once from its signature: the path ids checked against their bounds, the body decoded by
a msgspec decoder of its Struct (lax, as Litestar converts), the request's unit of work
(``core.uow.unit_of_work``, as ``provide_uow`` builds it), the request itself, a
dependency of the state alone (``provider``); and calls the handler with them.

Everything else of the route is Litestar's as before: routing, the middleware
(authentication and the session guard), the role guards, the OpenAPI schema (made from
the same signature), the response and its headers. Input the lean call does not take as
it is (an id out of range, a body that does not decode into the Struct, an empty body)
goes on to Litestar's own path, which answers it exactly as it always did (the same
problem details naming the field, in the reader's language). See decision 1563.
"""

from __future__ import annotations

import inspect
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import msgspec
from litestar import Request, Response
from litestar.handlers import HTTPRouteHandler
from litestar.params import BodyKwarg, ParameterKwarg

from pos_service.core.uow import provide_uow, unit_of_work

H = TypeVar("H", bound=HTTPRouteHandler)

_FALL_BACK = None
"""What the hook returns to let Litestar build the arguments itself."""


class Unsupported(TypeError):
    """A handler's parameter the lean call cannot make (a programming error)."""


Maker = Callable[[Request[Any, Any, Any], dict[str, Any]], Awaitable[bool]]
"""Puts one argument into the kwargs; False: the request goes Litestar's way."""


def _path_id(name: str, low: int, high: int) -> Maker:
    async def make(request: Request[Any, Any, Any], kwargs: dict[str, Any]) -> bool:
        value = request.path_params.get(name)
        if type(value) is not int or not low <= value <= high:
            return False
        kwargs[name] = value
        return True

    return make


def _body(struct: type[Any]) -> Maker:
    decode = msgspec.json.Decoder(struct, strict=False).decode

    async def make(request: Request[Any, Any, Any], kwargs: dict[str, Any]) -> bool:
        body = await request.body()
        try:
            kwargs["data"] = decode(body)
        except msgspec.MsgspecError:
            return False
        return True

    return make


async def _uow(request: Request[Any, Any, Any], kwargs: dict[str, Any]) -> bool:
    kwargs["uow"] = await unit_of_work(request, request.user)
    return True


async def _request(request: Request[Any, Any, Any], kwargs: dict[str, Any]) -> bool:
    kwargs["request"] = request
    return True


def _of_state(name: str, provide: Callable[[Any], Any]) -> Maker:
    async def make(request: Request[Any, Any, Any], kwargs: dict[str, Any]) -> bool:
        kwargs[name] = provide(request.app.state)
        return True

    return make


def _is_struct(annotation: Any) -> bool:
    return isinstance(annotation, type) and issubclass(annotation, msgspec.Struct)


INPUT, MADE = 0, 1
"""A maker's rank: of the request's input (may refuse it), or made for the handler."""


def _maker(handler: HTTPRouteHandler, name: str, field: Any) -> tuple[int, Maker]:
    kwarg = field.kwarg_definition
    dependency = handler.resolve_dependencies().get(name)
    if dependency is not None:
        fn = dependency.dependency
        if fn is provide_uow:
            return MADE, _uow
        parameters = list(inspect.signature(fn).parameters)
        if parameters == ["state"] and not inspect.iscoroutinefunction(fn):
            return MADE, _of_state(name, fn)
        raise Unsupported(f"{handler}: the dependency {name!r} needs more than the state")
    struct = field.annotation
    if name == "data" and isinstance(kwarg, BodyKwarg) and _is_struct(struct):
        return INPUT, _body(struct)
    if name == "request":
        return MADE, _request
    bounds_only = kwarg is not None and (kwarg.gt, kwarg.lt, kwarg.const) == (None, None, None)
    if isinstance(kwarg, ParameterKwarg) and field.annotation is int and kwarg.ge is not None:
        if not bounds_only or kwarg.multiple_of is not None:
            raise Unsupported(f"{handler}: {name!r} has bounds other than ge and le")
        high = kwarg.le if kwarg.le is not None else 2**63 - 1
        return INPUT, _path_id(name, int(kwarg.ge), int(high))
    raise Unsupported(f"{handler}: the parameter {name!r} is not one the lean call makes")


class _Call:
    """The ``before_request`` hook of one lean route (see the module docstring)."""

    def __init__(self) -> None:
        self._plans: dict[int, tuple[HTTPRouteHandler, Any, list[Maker]]] = {}

    def _plan(self, handler: HTTPRouteHandler) -> tuple[Any, list[Maker]]:
        plan = self._plans.get(id(handler))
        if plan is None:
            earlier = [
                layer.before_request
                for layer in handler.ownership_layers[:-1]
                if getattr(layer, "before_request", None)
            ]
            params = handler.parsed_fn_signature.parameters
            answer = handler.parsed_fn_signature.return_type
            if not (answer.is_subclass_of(Response) or answer.is_subclass_of(msgspec.Struct)):
                # Litestar takes a falsy value from the hook for "call the handler"
                raise Unsupported(f"{handler}: a lean handler answers a Response or a Struct")
            # the input, which may be refused, first: no unit of work is built for a refusal
            made = sorted(
                (_maker(handler, name, field) for name, field in params.items()),
                key=lambda ranked: ranked[0],
            )
            makers = [make for _rank, make in made]
            plan = self._plans[id(handler)] = (handler, earlier[-1] if earlier else None, makers)
        return plan[1], plan[2]

    async def __call__(self, request: Request[Any, Any, Any]) -> Any:
        handler = request.route_handler
        assert isinstance(handler, HTTPRouteHandler)
        before, makers = self._plan(handler)
        if before is not None:
            answered = await before(request)
            if answered:
                return answered
        kwargs: dict[str, Any] = {}
        for make in makers:
            if not await make(request, kwargs):
                return _FALL_BACK
        return await handler.fn(**kwargs)


def lean(handler: H) -> H:
    """Make ``handler``'s route call it leanly (see the module docstring)."""
    if handler.before_request is not None:
        raise Unsupported(f"{handler} has a before_request hook of its own")
    handler.before_request = _Call()
    return handler
