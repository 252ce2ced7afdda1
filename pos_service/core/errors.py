"""Domain errors and their problem-details rendering (RFC 9457).

Services raise these; one exception handler turns them into
``application/problem+json`` answers that name the offending field.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.exc import DataError, DBAPIError

PROBLEM_JSON = "application/problem+json"


class DomainError(Exception):
    """Base of the errors a service raises; carries an HTTP status and a field."""

    status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.extra = extra


class Invalid(DomainError):
    """The input breaks a rule (422)."""

    status = 422
    title = "Invalid input"


class NotFound(DomainError):
    """Nothing of that id in this venue (404)."""

    status = 404
    title = "Not found"


class Conflict(DomainError):
    """The state changed under the caller, or the thing is taken (409)."""

    status = 409
    title = "Conflict"


class Gone(DomainError):
    """The thing existed but is finished for good, e.g. a guest link of a closed check (410)."""

    status = 410
    title = "Gone"


class Forbidden(DomainError):
    """The caller may not do this (403)."""

    status = 403
    title = "Forbidden"


class Unauthorized(DomainError):
    """No valid credentials (401)."""

    status = 401
    title = "Unauthorized"


class TooManyAttempts(DomainError):
    """Locked out after too many failures (429, with ``Retry-After``: pass ``retry_after``
    in seconds)."""

    status = 429
    title = "Too many attempts"


class UnsupportedMediaType(DomainError):
    """The body is not of a media type the route takes (415)."""

    status = 415
    title = "Unsupported media type"


class Problem(msgspec.Struct, kw_only=True):
    """RFC 9457 problem details; ``field`` names the offending input. Other members
    (``check_id``, ``current``, ``group``, ``item``, ``retry_after`` ...) may follow."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    field: str | None = None


_DESCRIPTIONS = {
    400: "Malformed request",
    401: "No valid token",
    403: "Role or approval missing",
    404: "Not found in this venue",
    409: "Conflict with the current state",
    410: "Gone",
    415: "The body must be JSON",
    422: "Invalid input; `field` names it",
    429: "Locked out after too many attempts",
    503: "Dependency down",
}


def problems(*codes: int) -> dict[int, ResponseSpec]:
    """OpenAPI entries for the problem answers a route can give (400/401/403/422 always)."""
    return {
        code: ResponseSpec(
            data_container=Problem,
            description=_DESCRIPTIONS[code],
            media_type=PROBLEM_JSON,
            generate_examples=False,
        )
        for code in sorted({400, 401, 403, 422, *codes})
    }


def problem(
    status: int, title: str, detail: str, *, field: str | None = None, **extra: Any
) -> Response[bytes]:
    """A problem-details response."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title,
        "status": status,
        "detail": detail,
    }
    if field is not None:
        body["field"] = field
    body.update(extra)
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if isinstance(extra.get("retry_after"), int):
        headers["Retry-After"] = str(extra["retry_after"])
    return Response(
        msgspec.json.encode(body), status_code=status, media_type=PROBLEM_JSON, headers=headers
    )


def domain_error_handler(_: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    return problem(exc.status, exc.title, exc.detail, field=exc.field, **exc.extra)


def _validation_field(exc: ValidationException) -> tuple[str | None, str]:
    extra = exc.extra if isinstance(exc.extra, list) else []
    for item in extra:
        if isinstance(item, dict) and item.get("key"):
            key = str(item["key"])
            message = str(item.get("message", exc.detail))
            return key.removeprefix("data."), message
    detail = str(exc.detail)
    # msgspec names the path as "at `$.field`"; keep the field name.
    if "`$." in detail:
        path = detail.split("`$.", 1)[1].split("`", 1)[0]
        return path, detail
    return None, detail


def http_error_handler(_: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    if isinstance(exc, ValidationException):
        field, detail = _validation_field(exc)
        return problem(422 if field else 400, "Invalid input", detail, field=field)
    return problem(exc.status_code, exc.__class__.__name__, str(exc.detail))


# What reaching the database raises while it is down, restarting or cutting connections.
_UNREACHABLE = (
    OSError,
    asyncpg.exceptions.OperatorInterventionError,
    asyncpg.exceptions.ConnectionDoesNotExistError,
    asyncpg.exceptions.PostgresConnectionError,
)


def database_unreachable(exc: BaseException) -> bool:
    """Whether ``exc`` (or what caused it) says the database could not be reached."""
    seen: BaseException | None = exc
    while seen is not None:
        if isinstance(seen, _UNREACHABLE) or (
            isinstance(seen, DBAPIError) and seen.connection_invalidated
        ):
            return True
        seen = seen.__cause__
    return False


def internal_error_handler(_: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """500, or 503 when the database could not be reached (a retry with the same
    Idempotency-Key is safe whether or not the change was committed)."""
    if database_unreachable(exc):
        structlog.get_logger().warning("database unreachable", error=str(exc).split("\n", 1)[0])
        response = problem(
            HTTP_503_SERVICE_UNAVAILABLE,
            "Database unavailable",
            "the database cannot be reached; retry shortly with the same Idempotency-Key",
        )
        response.headers["Retry-After"] = "1"
        return response
    structlog.get_logger().error("unhandled error", exc_info=exc)
    return problem(HTTP_500_INTERNAL_SERVER_ERROR, "Internal error", "an unexpected error occurred")


def database_input_handler(request: Request[Any, Any, Any], exc: DBAPIError) -> Response[bytes]:
    """A value the database cannot take (out of range, bad encoding) is the caller's
    fault, not a server error. Inputs are bounded where they are decoded; this is the
    safety net for one that slipped through."""
    cause = exc.orig.__cause__ if exc.orig is not None else None
    sqlstate = str(getattr(exc.orig, "sqlstate", "") or "")
    if (
        isinstance(exc, DataError)
        or isinstance(cause, ValueError | asyncpg.DataError)
        or (sqlstate.startswith("22"))
    ):
        return problem(422, "Invalid input", "a value is out of the range the server accepts")
    return internal_error_handler(request, exc)


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DBAPIError: database_input_handler,
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
