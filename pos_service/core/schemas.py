"""Small shared pieces of the API's schemas."""

from __future__ import annotations

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
