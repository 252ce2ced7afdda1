"""The stock API: thin handlers, one service call each. Kitchen and bar read and count;
managers set up stock items and recipes."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get, patch, post, put
from litestar.params import JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import MAX_ID, PathId
from pos_service.core.uow import UoW
from pos_service.stock import service
from pos_service.stock.schemas import (
    RecipeRead,
    RecipeWrite,
    StockCount,
    StockItemCreate,
    StockItemPatch,
    StockItemRead,
    StockMovementRead,
)

KITCHEN = [requires("kitchen", "bar")]
MANAGER = [requires()]


class StockController(Controller):
    path = "/api/stock"
    tags = ["stock"]

    @get("/", guards=KITCHEN, responses=problems(404))
    async def list_stock(self, uow: UoW) -> list[StockItemRead]:
        """Every stock item with what is on hand and whether it is low."""
        return await uow.read(service.list_stock)

    @post("/items", guards=MANAGER, responses=problems(404, 409))
    async def create(self, uow: UoW, data: JSONBody[StockItemCreate]) -> StockItemRead:
        """Add a stock item (an ingredient, or a whole item kept in stock)."""
        return await uow.write(service.create_stock_item, data)

    @patch("/items/{stock_item_id:int}", guards=MANAGER, responses=problems(404, 409))
    async def patch_item(
        self, uow: UoW, stock_item_id: PathId, data: JSONBody[StockItemPatch]
    ) -> StockItemRead:
        """Rename a stock item, change its unit or its alert level."""
        return await uow.write(service.patch_stock_item, stock_item_id, data)

    @get("/recipes/{item_id:int}", guards=KITCHEN, responses=problems(404))
    async def recipe(self, uow: UoW, item_id: PathId) -> RecipeRead:
        """What one portion of a menu item takes from stock."""
        return await uow.read(service.get_recipe, item_id)

    @put("/recipes/{item_id:int}", guards=MANAGER, responses=problems(404, 409))
    async def set_recipe(
        self, uow: UoW, item_id: PathId, data: JSONBody[RecipeWrite]
    ) -> RecipeRead:
        """Replace a menu item's recipe (empty: its stock is not tracked)."""
        return await uow.write(service.set_recipe, item_id, data)

    @post("/counts", guards=KITCHEN, responses=problems(404, 409))
    async def count(self, uow: UoW, data: JSONBody[StockCount]) -> list[StockItemRead]:
        """Record a stock count; each difference to the book is logged."""
        return await uow.write(service.count, data)

    @get("/movements", guards=KITCHEN, responses=problems(404))
    async def movements(
        self,
        uow: UoW,
        stock_item_id: Annotated[int | None, QueryParameter(ge=1, le=MAX_ID)] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[StockMovementRead]:
        """The latest movements (sends, counts), newest first."""
        return await uow.read(service.list_movements, stock_item_id, limit)
