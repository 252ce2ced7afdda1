"""The webhooks and accounting export API (managers): thin handlers."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from litestar import Controller, Response, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody, QueryParameter

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.integrations import export, webhooks
from pos_service.integrations.schemas import (
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookPatch,
    WebhookRead,
)

CSV = "text/csv; charset=utf-8"


class WebhooksController(Controller):
    path = "/api/webhooks"
    tags = ["integrations"]
    guards = [requires()]

    @get("/", responses=problems(404))
    async def list_webhooks(self, uow: UoW) -> list[WebhookRead]:
        """The venue's webhook subscriptions."""
        return await uow.read(webhooks.list_webhooks)

    @post("/", responses=problems(404, 409))
    async def create(self, uow: UoW, state: State, data: JSONBody[WebhookCreate]) -> WebhookCreated:
        """Subscribe an endpoint to order, payment or day-closed events (the answer
        carries the signing secret, shown this once). The URL must be public (or
        allow-listed): 422 naming `url` otherwise."""
        return await uow.write(webhooks.create, data, state.outbound)

    @get("/{webhook_id:int}", responses=problems(404))
    async def get_webhook(self, uow: UoW, webhook_id: PathId) -> WebhookRead:
        return await uow.read(webhooks.get_webhook, webhook_id)

    @patch("/{webhook_id:int}", responses=problems(404, 409))
    async def patch_webhook(
        self, uow: UoW, state: State, webhook_id: PathId, data: JSONBody[WebhookPatch]
    ) -> WebhookRead:
        """Change URL, event types or description; pause or resume."""
        return await uow.write(webhooks.patch, webhook_id, data, state.outbound)

    @delete("/{webhook_id:int}", responses=problems(404))
    async def remove(self, uow: UoW, webhook_id: PathId) -> None:
        """Delete a subscription and its deliveries."""
        await uow.write(webhooks.remove, webhook_id)

    @get("/{webhook_id:int}/deliveries", responses=problems(404))
    async def deliveries(
        self,
        uow: UoW,
        webhook_id: PathId,
        limit: Annotated[int, QueryParameter(ge=1, le=1000)] = 100,
    ) -> list[DeliveryRead]:
        """The latest deliveries with attempts, status code and last error."""
        return await uow.read(webhooks.deliveries, webhook_id, limit)


class ExportController(Controller):
    path = "/api/days"
    tags = ["integrations"]
    guards = [requires()]

    @get("/{business_date:date}/export.csv", media_type=CSV, responses=problems(404))
    async def day_csv(self, uow: UoW, business_date: FromPath[dt.date]) -> Response[str]:
        """The journal entries of a closed business day, as CSV for accounting."""
        body = await uow.read(export.day_csv, business_date)
        name = f"journal-{business_date.isoformat()}.csv"
        return Response(
            body,
            media_type=CSV,
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
