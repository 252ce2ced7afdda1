"""``GET /health``: is this process serving, and can it reach the database?"""

from __future__ import annotations

import asyncio

import msgspec
from litestar import Response, get
from litestar.datastructures import State
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine


class Health(msgspec.Struct):
    status: str
    database: str


@get("/health", exclude_from_auth=True, tags=["health"])
async def health(state: State) -> Response[Health]:
    """``{"status": "ok", "database": "ok"}``, or 503 when the database does not answer."""
    engine: AsyncEngine = state.engine
    try:
        async with asyncio.timeout(2):
            async with engine.connect() as conn:
                await conn.execute(text("SELECT 1"))
    except Exception:
        return Response(Health("degraded", "down"), status_code=503)
    return Response(Health("ok", "ok"))
