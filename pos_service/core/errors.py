"""Domain errors and their problem-details rendering (RFC 9457).

Services raise these; one exception handler turns them into
``application/problem+json`` answers that name the offending field.

A detail is a text of the ``messages`` catalog, written in English with named
placeholders and filled from the error's keyword arguments::

    raise Conflict("table {table} is taken", table=table.name, field="table_id")

The keyword arguments are also members of the problem body (``table`` here), as every
extra keyword always was; ``field`` fills a ``{field}`` placeholder too but is never
translated. The answer is written in the language of the request
(:func:`request_language`): the signed-in member's own, else the best of
``Accept-Language`` (a page sends its own), else the venue's, else English; ``title`` and
``detail`` are translated, an English
answer reads exactly as the text in the code. See decision 1540 in docs/decisions and
docs/i18n.md.
"""

from __future__ import annotations

from typing import Any

import asyncpg
import msgspec
import structlog
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException, ValidationException
from litestar.openapi.datastructures import ResponseSpec
from litestar.status_codes import HTTP_500_INTERNAL_SERVER_ERROR, HTTP_503_SERVICE_UNAVAILABLE
from sqlalchemy.exc import DataError, DBAPIError

from pos_service import i18n
from pos_service.i18n import N_

PROBLEM_JSON = "application/problem+json"
LANGUAGE_STATE = "pos_language"
"""The key of the request's scope state holding the signed-in member's own language (set
by the authentication middleware when they chose one)."""
VENUE_LANGUAGE_STATE = "pos_venue_language"
"""The key holding the signed-in member's venue's language."""


def request_language(connection: ASGIConnection[Any, Any, Any, Any] | None) -> str:
    """The language to answer a request in: the signed-in member's own, else the best of
    ``Accept-Language`` (a page sends the language it speaks), else the member's venue's,
    else English."""
    if connection is None:
        return i18n.SOURCE
    state = connection.scope.get("state", {})
    language = state.get(LANGUAGE_STATE)
    if isinstance(language, str) and language in i18n.LANGUAGES:
        return language
    asked = i18n.negotiate(connection.headers.get("accept-language"))
    if asked is not None:
        return asked
    venue = state.get(VENUE_LANGUAGE_STATE)
    return venue if isinstance(venue, str) and venue in i18n.LANGUAGES else i18n.SOURCE


def fill(language: str, message: str, values: dict[str, Any]) -> str:
    """``message`` translated into ``language`` with its placeholders filled; a text whose
    placeholders do not fit the values (a computed English text with braces) is shown as
    it is, never an error of its own."""
    text = i18n.translations(i18n.language_of(language)).gettext(message)
    if not values:
        return text
    try:
        return text.format(**values)
    except (KeyError, IndexError, ValueError, AttributeError):
        if text != message:
            return fill(i18n.SOURCE, message, values)
        return message


class Term(str):
    """A word inside a detail that is translated with it: a state (``seated``), a kind of
    thing (``category``). The English words are marked in :mod:`pos_service.i18n.terms`;
    the problem body keeps the English word."""

    __slots__ = ()


class DomainError(Exception):
    """Base of the errors a service raises; carries an HTTP status and a field.

    ``detail`` is an English text of the catalog with ``{name}`` placeholders, filled
    from ``extra`` (and ``field``); :attr:`detail` is the filled English text,
    :meth:`text` the text in another language."""

    status = 400
    title = N_("Bad request")

    def __init__(self, detail: str, *, field: str | None = None, **extra: Any) -> None:
        self.message = detail
        self.field = field
        self.extra = extra
        self.detail = self.text(i18n.SOURCE)
        super().__init__(self.detail)

    @classmethod
    def because(cls, exc: ValueError, *, field: str | None = None, **extra: Any) -> DomainError:
        """The refusal for a broken rule of plain logic: translatable when it is a
        :class:`Reason`, else its English text as it is."""
        if isinstance(exc, Reason):
            return cls(exc.message, field=field, **{**exc.values, **extra})
        return cls(str(exc), field=field, **extra)

    def text(self, language: str) -> str:
        """The detail in ``language``."""
        values = {
            name: i18n.gettext(language, value) if isinstance(value, Term) else value
            for name, value in self.extra.items()
        }
        if self.field is not None:
            values.setdefault("field", self.field)
        return fill(language, self.message, values)


class Reason(ValueError):
    """A rule broken in plain logic that knows nothing of HTTP (billing, returns): a
    ``ValueError`` worded like an error's detail, a catalog text with its values, so the
    service that turns it into a refusal (:meth:`DomainError.because`) keeps it
    translatable. ``str()`` is the English text."""

    def __init__(self, message: str, **values: Any) -> None:
        self.message = message
        self.values = values
        super().__init__(fill(i18n.SOURCE, message, values))


class Invalid(DomainError):
    """The input breaks a rule (422)."""

    status = 422
    title = N_("Invalid input")


class NotFound(DomainError):
    """Nothing of that id in this venue (404)."""

    status = 404
    title = N_("Not found")


class Conflict(DomainError):
    """The state changed under the caller, or the thing is taken (409)."""

    status = 409
    title = N_("Conflict")


class Gone(DomainError):
    """The thing existed but is finished for good, e.g. a guest link of a closed check (410)."""

    status = 410
    title = N_("Gone")


class Forbidden(DomainError):
    """The caller may not do this (403)."""

    status = 403
    title = N_("Forbidden")


class Unauthorized(DomainError):
    """No valid credentials (401)."""

    status = 401
    title = N_("Unauthorized")


class TooManyAttempts(DomainError):
    """Locked out after too many failures (429, with ``Retry-After``: pass ``retry_after``
    in seconds)."""

    status = 429
    title = N_("Too many attempts")


class UnsupportedMediaType(DomainError):
    """The body is not of a media type the route takes (415)."""

    status = 415
    title = N_("Unsupported media type")


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
        msgspec.json.encode(body, enc_hook=str),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


def domain_error_handler(request: Request[Any, Any, Any], exc: DomainError) -> Response[bytes]:
    language = request_language(request)
    return problem(
        exc.status,
        i18n.gettext(language, exc.title),
        exc.text(language),
        field=exc.field,
        **exc.extra,
    )


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


_STATUS_TITLES = {
    400: N_("Bad request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not found"),
    405: N_("Method not allowed"),
    409: N_("Conflict"),
    413: N_("Request too large"),
    415: N_("Unsupported media type"),
    429: N_("Too many attempts"),
}


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[bytes]:
    """Litestar's own refusals. In English as Litestar words them; in another language
    with a translated title, and for a body that does not decode a generic detail naming
    the field (msgspec's own message is English only)."""
    language = request_language(request)
    english = language == i18n.SOURCE
    if isinstance(exc, ValidationException):
        field, detail = _validation_field(exc)
        if not english:
            detail = (
                i18n.gettext(language, "{field} has a value that is not valid", field=field)
                if field
                else i18n.gettext(language, "the request body is not valid")
            )
        title = i18n.gettext(language, "Invalid input")
        return problem(422 if field else 400, title, detail, field=field)
    title = exc.__class__.__name__
    detail = str(exc.detail)
    if not english and exc.status_code in _STATUS_TITLES:
        title = i18n.gettext(language, _STATUS_TITLES[exc.status_code])
        detail = title
    return problem(exc.status_code, title, detail)


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


def internal_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[bytes]:
    """500, or 503 when the database could not be reached (a retry with the same
    Idempotency-Key is safe whether or not the change was committed)."""
    language = request_language(request)
    if database_unreachable(exc):
        structlog.get_logger().warning("database unreachable", error=str(exc).split("\n", 1)[0])
        response = problem(
            HTTP_503_SERVICE_UNAVAILABLE,
            i18n.gettext(language, "Database unavailable"),
            i18n.gettext(
                language,
                "the database cannot be reached; retry shortly with the same Idempotency-Key",
            ),
        )
        response.headers["Retry-After"] = "1"
        return response
    structlog.get_logger().error("unhandled error", exc_info=exc)
    return problem(
        HTTP_500_INTERNAL_SERVER_ERROR,
        i18n.gettext(language, "Internal error"),
        i18n.gettext(language, "an unexpected error occurred"),
    )


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
        language = request_language(request)
        return problem(
            422,
            i18n.gettext(language, "Invalid input"),
            i18n.gettext(language, "a value is out of the range the server accepts"),
        )
    return internal_error_handler(request, exc)


EXCEPTION_HANDLERS: dict[int | type[Exception], Any] = {
    DBAPIError: database_input_handler,
    DomainError: domain_error_handler,
    HTTPException: http_error_handler,
    Exception: internal_error_handler,
}
