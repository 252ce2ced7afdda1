"""The menu API: the menu as handhelds read it, 86 and counts, and its administration
(categories, items, modifier groups and options, schedules, stations, courses, import
and export) by managers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import msgspec
from litestar import Controller, MediaType, Request, Response, delete, get, patch, post, put
from litestar.openapi.spec import (
    OpenAPIMediaType,
    OpenAPIType,
    Operation,
    RequestBody,
    Schema,
)
from litestar.params import FromQuery, JSONBody, QueryParameter

from pos_service.core.auth import owner_only, requires
from pos_service.core.errors import Invalid, problems
from pos_service.core.export import CSV, CsvOperation, Format, report_responses, wants_csv
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.menu import admin, service, transfer
from pos_service.menu.admin_schemas import (
    CategoryCreate,
    CategoryPatch,
    CoursesPut,
    CoursesRead,
    GroupCreate,
    GroupPatch,
    ImportResult,
    ItemCreate,
    MenuFile,
    OptionCreate,
    OptionPatch,
    Removed,
    ScheduleCreate,
    SchedulePatch,
    StationCreate,
    StationPatch,
)
from pos_service.menu.schemas import (
    CategoryRead,
    ItemPatch,
    ItemRead,
    MenuCopy,
    MenuCopyResult,
    MenuRead,
    ModifierGroupRead,
    ScheduleRead,
    StationRead,
)

manager = requires()
"""Managers (and nobody else) change what the menu is."""


@dataclass
class ImportOperation(Operation):
    """The import's body: a menu file as exported, JSON or CSV."""

    def __post_init__(self) -> None:
        self.request_body = RequestBody(
            required=True,
            # CSV is taken too (``Content-Type: text/csv`` or ``?format=csv``), but only
            # the JSON body is declared: client generators refuse a text/csv body.
            description="A menu file: JSON (MenuFile, as exported); CSV (one item a line) "
            "with Content-Type: text/csv or ?format=csv",
            content={
                MediaType.JSON: OpenAPIMediaType(
                    schema=Schema(
                        type=OpenAPIType.OBJECT,
                        description="a MenuFile as GET /api/menu/export gives it; each item "
                        "is checked on its own and a bad one is listed in `rejected`",
                    )
                ),
            },
        )


MAX_FILE = 5_000_000
"""The largest menu file an import takes (bytes)."""

VersionQuery = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]
"""The version the caller read, on a delete; stale is 409."""


class MenuController(Controller):
    path = "/api/menu"
    tags = ["menu"]

    @get("/", guards=[requires("waiter", "host", "kitchen", "bar")], responses=problems(404))
    async def menu(self, uow: UoW, archived: FromQuery[bool] = False) -> MenuRead:
        """The venue's menu with modifier groups, availability, remaining counts and
        schedules; ``archived=true`` also lists archived items (the editor's view)."""
        return await uow.read(service.get_menu, archived)

    @patch(
        "/items/{item_id:int}", guards=[requires("kitchen", "bar")], responses=problems(404, 409)
    )
    async def patch_item(self, uow: UoW, item_id: PathId, data: JSONBody[ItemPatch]) -> ItemRead:
        """86 an item, bring it back, or set its remaining count; managers also change
        what it is (name, price, tax, station, course, allergens ...) with its version."""
        return await uow.write(admin.patch_item, item_id, data)

    @post("/items", guards=[manager], responses=problems(409))
    async def create_item(self, uow: UoW, data: JSONBody[ItemCreate]) -> ItemRead:
        """Add an item to a category."""
        return await uow.write(admin.create_item, data)

    @delete("/items/{item_id:int}", guards=[manager], status_code=200, responses=problems(404, 409))
    async def remove_item(self, uow: UoW, item_id: PathId, version: VersionQuery = None) -> Removed:
        """Take an item off the menu: archived if checks or sales name it, else deleted."""
        return await uow.write(admin.remove_item, item_id, version)

    @post("/categories", guards=[manager], responses=problems(409))
    async def create_category(self, uow: UoW, data: JSONBody[CategoryCreate]) -> CategoryRead:
        """Add a menu section."""
        return await uow.write(admin.create_category, data)

    @patch("/categories/{category_id:int}", guards=[manager], responses=problems(404, 409))
    async def patch_category(
        self, uow: UoW, category_id: PathId, data: JSONBody[CategoryPatch]
    ) -> CategoryRead:
        """Rename, reorder, reroute or schedule a category (with its version)."""
        return await uow.write(admin.patch_category, category_id, data)

    @delete(
        "/categories/{category_id:int}",
        guards=[manager],
        status_code=200,
        responses=problems(404, 409),
    )
    async def remove_category(
        self, uow: UoW, category_id: PathId, version: VersionQuery = None
    ) -> Removed:
        """Remove a category without items on the menu (archived if archived items keep it)."""
        return await uow.write(admin.remove_category, category_id, version)

    @post("/modifier-groups", guards=[manager], responses=problems(409))
    async def create_group(self, uow: UoW, data: JSONBody[GroupCreate]) -> ModifierGroupRead:
        """Add a modifier group with its options."""
        return await uow.write(admin.create_group, data)

    @patch("/modifier-groups/{group_id:int}", guards=[manager], responses=problems(404, 409))
    async def patch_group(
        self, uow: UoW, group_id: PathId, data: JSONBody[GroupPatch]
    ) -> ModifierGroupRead:
        """Rename a group or change its minimum and maximum choices."""
        return await uow.write(admin.patch_group, group_id, data)

    @delete(
        "/modifier-groups/{group_id:int}",
        guards=[manager],
        status_code=200,
        responses=problems(404, 409),
    )
    async def remove_group(
        self, uow: UoW, group_id: PathId, version: VersionQuery = None
    ) -> Removed:
        """Delete a group and its options (ordered lines keep their copy)."""
        return await uow.write(admin.remove_group, group_id, version)

    @post("/modifier-groups/{group_id:int}/options", guards=[manager], responses=problems(404, 409))
    async def create_option(
        self, uow: UoW, group_id: PathId, data: JSONBody[OptionCreate]
    ) -> ModifierGroupRead:
        """Add an option to a group; answers the whole group."""
        return await uow.write(admin.create_option, group_id, data)

    @patch("/options/{option_id:int}", guards=[manager], responses=problems(404, 409))
    async def patch_option(
        self, uow: UoW, option_id: PathId, data: JSONBody[OptionPatch]
    ) -> ModifierGroupRead:
        """Rename an option or change its price difference; answers the whole group."""
        return await uow.write(admin.patch_option, option_id, data)

    @delete(
        "/options/{option_id:int}", guards=[manager], status_code=200, responses=problems(404, 409)
    )
    async def remove_option(
        self, uow: UoW, option_id: PathId, version: VersionQuery = None
    ) -> ModifierGroupRead:
        """Delete an option; answers the whole group."""
        return await uow.write(admin.remove_option, option_id, version)

    @post("/schedules", guards=[manager], responses=problems(409))
    async def create_schedule(self, uow: UoW, data: JSONBody[ScheduleCreate]) -> ScheduleRead:
        """Add an availability schedule (e.g. lunch: weekdays 11:30 to 15:00)."""
        return await uow.write(admin.create_schedule, data)

    @patch("/schedules/{schedule_id:int}", guards=[manager], responses=problems(404, 409))
    async def patch_schedule(
        self, uow: UoW, schedule_id: PathId, data: JSONBody[SchedulePatch]
    ) -> ScheduleRead:
        """Change a schedule's name, days or times."""
        return await uow.write(admin.patch_schedule, schedule_id, data)

    @delete(
        "/schedules/{schedule_id:int}",
        guards=[manager],
        status_code=200,
        responses=problems(404, 409),
    )
    async def remove_schedule(
        self, uow: UoW, schedule_id: PathId, version: VersionQuery = None
    ) -> Removed:
        """Delete a schedule; what it limited can be ordered at all times."""
        return await uow.write(admin.remove_schedule, schedule_id, version)

    @post("/stations", guards=[manager], responses=problems(409))
    async def create_station(self, uow: UoW, data: JSONBody[StationCreate]) -> StationRead:
        """Add a kitchen or bar station."""
        return await uow.write(admin.create_station, data)

    @patch("/stations/{station_id:int}", guards=[manager], responses=problems(404, 409))
    async def patch_station(
        self, uow: UoW, station_id: PathId, data: JSONBody[StationPatch]
    ) -> StationRead:
        """Rename a station or change its kind and ticket timers."""
        return await uow.write(admin.patch_station, station_id, data)

    @delete(
        "/stations/{station_id:int}",
        guards=[manager],
        status_code=200,
        responses=problems(404, 409),
    )
    async def remove_station(
        self, uow: UoW, station_id: PathId, version: VersionQuery = None
    ) -> Removed:
        """Delete a station nothing routes to."""
        return await uow.write(admin.remove_station, station_id, version)

    @get("/courses", guards=[requires("waiter", "host", "kitchen", "bar")], responses=problems(404))
    async def courses(self, uow: UoW) -> CoursesRead:
        """The venue's courses in firing order, with their version."""
        return await uow.read(admin.get_courses)

    @put("/courses", guards=[manager], responses=problems(409))
    async def put_courses(self, uow: UoW, data: JSONBody[CoursesPut]) -> CoursesRead:
        """Replace the course list (add, rename unused, reorder)."""
        return await uow.write(admin.put_courses, data)

    @get(
        "/export",
        guards=[manager],
        responses=report_responses(MenuFile, 404),
        operation_class=CsvOperation,
    )
    async def export(
        self, request: Request[Any, Any, Any], uow: UoW, format: FromQuery[Format | None] = None
    ) -> Response[bytes]:
        """The menu as JSON (stations, groups, schedules, categories, items) or, with
        ``?format=csv`` or ``Accept: text/csv``, its items as CSV; import takes either."""
        data = await uow.read(transfer.export_menu)
        if not wants_csv(request, format):
            return Response(msgspec.json.encode(data), media_type=MediaType.JSON)
        return Response(
            transfer.csv_text(data.items),
            media_type=CSV,
            headers={"Content-Disposition": 'attachment; filename="menu.csv"'},
        )

    @post(
        "/import",
        guards=[manager],
        status_code=200,
        responses=problems(409),
        operation_class=ImportOperation,
    )
    async def import_(
        self,
        request: Request[Any, Any, Any],
        uow: UoW,
        format: FromQuery[Format | None] = None,
        dry_run: FromQuery[bool] = False,
    ) -> ImportResult:
        """Import a menu file (JSON as exported, or CSV with ``?format=csv`` or
        ``Content-Type: text/csv``). ``dry_run=true`` shows what would be created and
        changed and every rejected row; otherwise any rejected row refuses the whole file
        (422 listing them) and nothing changes."""
        body = await request.body()
        if len(body) > MAX_FILE:
            raise Invalid(
                "the file is larger than {megabytes} MB",
                megabytes=MAX_FILE // 1000000,
                field="file",
            )
        kind = request.headers.get("content-type", "").split(";")[0].strip()
        said: Format | None = "csv" if kind == CSV else "json" if kind == MediaType.JSON else None
        if format is not None and said is not None and format != said:
            raise Invalid(
                "format={format} but the body is {kind}", format=format, kind=kind, field="format"
            )
        fmt: Format = said or format or "json"
        return await uow.write(transfer.import_menu, fmt, body, dry_run)

    @post("/copy", guards=[owner_only], responses=problems(404, 409))
    async def copy(self, uow: UoW, data: JSONBody[MenuCopy]) -> MenuCopyResult:
        """Copy one venue's menu into another, empty venue of the owner's group."""
        return await uow.write(service.copy_menu, data)
