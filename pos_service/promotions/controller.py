"""The promotions API (managers): promotions and day-part prices, with versions."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, delete, get, patch, post
from litestar.params import JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.promotions import service
from pos_service.promotions.schemas import (
    DayPartPriceCreate,
    DayPartPricePatch,
    DayPartPriceRead,
    PriceRemoved,
    PromotionCreate,
    PromotionEnd,
    PromotionPatch,
    PromotionRead,
)

MANAGER = requires()
VersionQuery = Annotated[int | None, QueryParameter(ge=1, le=2**31 - 1)]


class PromotionsController(Controller):
    path = "/api/promotions"
    tags = ["promotions"]

    @get("/", guards=[MANAGER], responses=problems())
    async def list_promotions(
        self, uow: UoW, include_ended: Annotated[bool, QueryParameter(name="ended")] = False
    ) -> list[PromotionRead]:
        """The venue's running promotions (with ``ended=true``, the ended ones too)."""
        return await uow.read(service.list_promotions, include_ended)

    @post("/", guards=[MANAGER], responses=problems(409))
    async def create_promotion(self, uow: UoW, data: JSONBody[PromotionCreate]) -> PromotionRead:
        """Create a promotion; bills apply it to lines ordered while it holds."""
        return await uow.write(service.create_promotion, data)

    @get("/{promotion_id:int}", guards=[MANAGER], responses=problems(404))
    async def get_promotion(self, uow: UoW, promotion_id: PathId) -> PromotionRead:
        """One promotion."""
        return await uow.read(service.get_promotion, promotion_id)

    @patch("/{promotion_id:int}", guards=[MANAGER], responses=problems(404, 409))
    async def patch_promotion(
        self, uow: UoW, promotion_id: PathId, data: JSONBody[PromotionPatch]
    ) -> PromotionRead:
        """Change a running promotion's terms, targets or schedule (with its version)."""
        return await uow.write(service.patch_promotion, promotion_id, data)

    @post(
        "/{promotion_id:int}/end", guards=[MANAGER], status_code=200, responses=problems(404, 409)
    )
    async def end_promotion(
        self, uow: UoW, promotion_id: PathId, data: JSONBody[PromotionEnd]
    ) -> PromotionRead:
        """End a promotion now; lines ordered before keep it."""
        return await uow.write(service.end_promotion, promotion_id, data)

    @get("/prices", guards=[MANAGER], responses=problems())
    async def list_prices(self, uow: UoW) -> list[DayPartPriceRead]:
        """The day-part prices of the venue's items."""
        return await uow.read(service.list_prices)

    @post("/prices", guards=[MANAGER], responses=problems(409))
    async def create_price(self, uow: UoW, data: JSONBody[DayPartPriceCreate]) -> DayPartPriceRead:
        """An item's price within schedule windows, fixed on a line when it is ordered."""
        return await uow.write(service.create_price, data)

    @patch("/prices/{price_id:int}", guards=[MANAGER], responses=problems(404, 409))
    async def patch_price(
        self, uow: UoW, price_id: PathId, data: JSONBody[DayPartPricePatch]
    ) -> DayPartPriceRead:
        """Change a day-part price (with its version); ordered lines keep theirs."""
        return await uow.write(service.patch_price, price_id, data)

    @delete(
        "/prices/{price_id:int}", guards=[MANAGER], status_code=200, responses=problems(404, 409)
    )
    async def remove_price(
        self, uow: UoW, price_id: PathId, version: VersionQuery = None
    ) -> PriceRemoved:
        """Remove a day-part price; ordered lines keep theirs."""
        return await uow.write(service.remove_price, price_id, version)
