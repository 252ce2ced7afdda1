"""Reports as JSON or CSV: ``?format=csv`` or ``Accept: text/csv`` asks for CSV.

A report handler returns :func:`answer`; its OpenAPI entry declares the JSON schema and
the CSV alternative (:func:`report_responses` and :class:`CsvOperation`). The CSV has one
line per row of the report, a header of the row's field names, amounts in minor units as
in the JSON, and comes as an attachment with a file name. Text that a spreadsheet
would take for a formula (``=``, ``+``, ``-``, ``@`` first) is prefixed with ``'``.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import msgspec
from litestar import MediaType, Request, Response
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import OpenAPIMediaType, OpenAPIResponse, OpenAPIType, Operation, Schema

from pos_service.core.errors import problems

CSV = "text/csv"
Format = Literal["json", "csv"]


@dataclass
class CsvOperation(Operation):
    """An operation whose success answer is JSON or, when asked, CSV."""

    def __post_init__(self) -> None:
        ok = (self.responses or {}).get("200")
        if isinstance(ok, OpenAPIResponse) and ok.content is not None:
            ok.content[CSV] = OpenAPIMediaType(schema=Schema(type=OpenAPIType.STRING))


def report_responses(model: type[Any], *codes: int) -> dict[int, ResponseSpec]:
    """The answers of a report route: ``model`` as JSON (or CSV), and its problems."""
    return {
        200: ResponseSpec(
            data_container=model,
            description="The report; CSV with ?format=csv or Accept: text/csv",
            generate_examples=False,
        ),
        **problems(*codes),
    }


def wants_csv(request: Request[Any, Any, Any], fmt: Format | None) -> bool:
    if fmt is not None:
        return fmt == "csv"
    return request.accept.best_match([MediaType.JSON, CSV], default=MediaType.JSON) == CSV


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    """A CSV cell; text that a spreadsheet would run as a formula is quoted with ``'``."""
    plain = msgspec.to_builtins(value)
    if isinstance(plain, str):
        return f"'{plain}" if plain.startswith(FORMULA_STARTS) else plain
    return plain if isinstance(plain, int) or plain is None else msgspec.json.encode(plain).decode()


def csv_bytes(rows: Sequence[msgspec.Struct], row_type: type[msgspec.Struct]) -> bytes:
    """The rows as CSV with a header line of the fields of ``row_type``."""
    fields = [f.encode_name for f in msgspec.structs.fields(row_type)]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(fields)
    for row in rows:
        writer.writerow([_cell(getattr(row, f.name)) for f in msgspec.structs.fields(row_type)])
    return out.getvalue().encode()


def answer(
    request: Request[Any, Any, Any],
    fmt: Format | None,
    report: msgspec.Struct,
    rows: Sequence[msgspec.Struct],
    row_type: type[msgspec.Struct],
    filename: str,
) -> Response[bytes]:
    """The report as JSON, or its rows as a CSV attachment named ``filename``."""
    if not wants_csv(request, fmt):
        return Response(msgspec.json.encode(report), media_type=MediaType.JSON)
    return Response(
        csv_bytes(rows, row_type),
        media_type=CSV,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
