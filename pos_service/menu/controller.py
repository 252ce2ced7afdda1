"""The menu API."""

from __future__ import annotations

from litestar import Controller, get, patch
from litestar.params import JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.menu import service
from pos_service.menu.schemas import ItemPatch, ItemRead, MenuRead


class MenuController(Controller):
    path = "/api/menu"
    tags = ["menu"]

    @get("/", guards=[requires("waiter", "host", "kitchen", "bar")], responses=problems(404))
    async def menu(self, uow: UoW) -> MenuRead:
        """The venue's menu with modifier groups, availability and remaining counts."""
        return await uow.read(service.get_menu)

    @patch(
        "/items/{item_id:int}", guards=[requires("kitchen", "bar")], responses=problems(404, 409)
    )
    async def patch_item(self, uow: UoW, item_id: PathId, data: JSONBody[ItemPatch]) -> ItemRead:
        """86 an item, bring it back, or set its remaining count."""
        return await uow.write(service.patch_item, item_id, data)
