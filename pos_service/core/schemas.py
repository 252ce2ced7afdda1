"""Small shared pieces of the API's schemas."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec
from litestar.params import PathParameter

Unset = msgspec.UnsetType
UNSET_FIELD = msgspec.UNSET

MAX_ID = 2**62
Id = Annotated[int, msgspec.Meta(ge=1, le=MAX_ID)]
PathId = Annotated[int, PathParameter(ge=1, le=MAX_ID)]
"""An id in a path: out of range is a 400 naming it, never a database error."""
ShortText = Annotated[str, msgspec.Meta(max_length=200)]

LocalTime = Annotated[
    dt.time,
    msgspec.Meta(
        extra_json_schema={
            "description": "a local time of day, HH:MM[:SS]",
            # the OpenAPI generator would call a time a "duration"
            "extra": {"format": None, "pattern": r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"},
        }
    ),
]
"""A venue-local time of day on the wire (no offset: the venue's timezone applies)."""
