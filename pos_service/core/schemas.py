"""Small shared pieces of the API's schemas."""

from __future__ import annotations

from typing import Annotated

import msgspec

Unset = msgspec.UnsetType
UNSET_FIELD = msgspec.UNSET

Id = Annotated[int, msgspec.Meta(ge=1, le=2**62)]
ShortText = Annotated[str, msgspec.Meta(max_length=200)]
