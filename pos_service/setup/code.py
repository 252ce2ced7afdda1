"""The one-time setup code: made when the database has no venue, shown in the log.

Plain asyncpg and the standard library only, so that ``pos-service serve`` can issue a
code before it starts the workers without importing the application.
"""

from __future__ import annotations

import hashlib
import re
import secrets

TTL_HOURS = 24
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read off a screen
MAX_FAILURES = 5
"""Wrong codes in a row before the setup API waits :data:`LOCK_MINUTES` for the next."""
LOCK_MINUTES = 5


def new_code() -> str:
    """Twelve characters in three groups (60 bits), e.g. ``K7QH-3MXW-PZ9C``."""
    raw = "".join(secrets.choice(ALPHABET) for _ in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def digest(code: str) -> str:
    """What is kept of a code; case, spaces and dashes do not matter."""
    return hashlib.sha256(re.sub(r"[\s-]", "", code).upper().encode()).hexdigest()


async def issue(database_url: str) -> str | None:
    """A fresh setup code if the database has no venue (earlier unused codes expire),
    else None."""
    import asyncpg

    dsn = re.sub(r"^postgresql\+\w+://", "postgresql://", database_url)
    connection = await asyncpg.connect(dsn)
    try:
        async with connection.transaction():
            await connection.execute("LOCK TABLE setup_codes IN EXCLUSIVE MODE")
            if await connection.fetchval("SELECT EXISTS (SELECT 1 FROM venues)"):
                return None
            await connection.execute(
                "UPDATE setup_codes SET expires_at = now() "
                "WHERE used_at IS NULL AND expires_at > now()"
            )
            code = new_code()
            await connection.execute(
                "INSERT INTO setup_codes (code_hash, expires_at) "
                "VALUES ($1, now() + make_interval(hours => $2))",
                digest(code),
                TTL_HOURS,
            )
            return code
    finally:
        await connection.close()


def banner(code: str, url: str) -> str:
    """What ``serve`` prints for the owner."""
    return (
        "\n"
        "  This server has no venue yet. To set it up, open\n"
        f"      {url}/app/setup\n"
        f"  and enter the setup code   {code}\n"
        f"  (single use, valid {TTL_HOURS} hours; a restart makes a new one).\n"
        "  Or run `pos-service init` on this machine.\n"
    )
