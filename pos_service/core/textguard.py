"""Refuse text PostgreSQL cannot store, before any handler runs.

PostgreSQL text cannot hold the NUL character. Rather than let such input reach a query
and fail there, requests whose JSON body or query string contains one are answered 422
naming the field.
"""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Request

from pos_service.core.errors import Invalid

_NUL_MARKERS = (b"\\u0000", b"\x00")


def _path_of_nul(value: Any, path: str = "") -> str | None:
    if isinstance(value, str):
        return path if "\x00" in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            if "\x00" in key:
                return f"{path}.{key!r}".lstrip(".")
            found = _path_of_nul(item, f"{path}.{key}".lstrip("."))
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _path_of_nul(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


async def refuse_nul(request: Request[Any, Any, Any]) -> None:
    """``before_request`` hook: 422 naming the field that carries a NUL character."""
    if request.scope.get("query_string"):  # most requests have none: nothing to parse
        for key, value in request.query_params.items():
            if "\x00" in key or "\x00" in value:
                name = key.replace("\x00", "")
                raise Invalid("text must not contain NUL characters", field=name)
    if request.method in ("GET", "HEAD", "DELETE"):
        return
    body = await request.body()
    if not any(marker in body for marker in _NUL_MARKERS):
        return
    try:
        decoded = msgspec.json.decode(body)
    except msgspec.DecodeError:
        return  # the handler's own decoding answers malformed JSON
    field = _path_of_nul(decoded)
    if field is not None:
        raise Invalid("text must not contain NUL characters", field=field or None)
