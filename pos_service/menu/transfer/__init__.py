"""Menu import and export, as JSON or CSV.

Export writes what import reads: importing an export into the same venue changes
nothing. Items, categories, stations, modifier groups and schedules are matched by
name; what the file names is created or updated, what it leaves out is left alone.
Every row is checked before anything is written: a dry run lists what would be
created and changed and every rejected row with its field and reason; a real import
with any rejected row writes nothing (422 with the same list). See
docs/decisions/1222-menu-files-match-by-name.md.
"""

from __future__ import annotations

import datetime as dt

import msgspec
from sqlalchemy.ext.asyncio import AsyncSession

from pos_service.audit import service as audit
from pos_service.core import events
from pos_service.core.auth import Caller
from pos_service.core.errors import Invalid
from pos_service.menu import service as menu
from pos_service.menu.admin import lock_menu
from pos_service.menu.admin_schemas import ImportResult
from pos_service.menu.events import MenuImported
from pos_service.menu.transfer._apply import _apply_items, _apply_parts, _plan
from pos_service.menu.transfer._export import csv_text, export_menu
from pos_service.menu.transfer._read import FileFormat
from pos_service.venues import service as venues


async def import_menu(
    session: AsyncSession, caller: Caller, fmt: FileFormat, body: bytes, dry_run: bool
) -> ImportResult:
    """Check a menu file and (unless ``dry_run``) apply it, all or nothing."""
    v = caller.venue_id
    if not dry_run:
        await lock_menu(session, v)
    plan, cur = await _plan(session, v, fmt, body)
    result = plan.result
    if dry_run:
        return result
    if result.rejected:
        raise Invalid(
            "{rejected2} row(s) rejected; nothing was imported",
            rejected2=len(result.rejected),
            field=result.rejected[0].field,
            rejected=msgspec.to_builtins(result.rejected),
        )
    courses = list((await venues.get(session, v)).courses)
    await _apply_parts(session, v, plan.file, cur)
    await _apply_items(session, v, plan, cur, courses)
    result.dry_run = False
    result.applied = True
    await audit.record(
        session,
        caller,
        "menu.imported",
        f"venue:{v}",
        {
            "format": fmt,
            "created": result.created[:100],
            "changed": [c.name for c in result.changed][:100],
            "at": dt.datetime.now(dt.UTC).isoformat(),
        },
    )
    events.record(
        session,
        v,
        menu.MENU_TOPICS,
        MenuImported(created=len(result.created), changed=len(result.changed)),
    )
    return result


__all__ = ["FileFormat", "csv_text", "export_menu", "import_menu"]
