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
from pos_service.integrations import export, keys, webhooks
from pos_service.integrations.schemas import (
    ApiKeyCreate,
    ApiKeyCreated,
    ApiKeyRead,
    DeliveryRead,
    WebhookCreate,
    WebhookCreated,
    WebhookPatch,
    WebhookRead,
    WebhookReplay,
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
        """Subscribe an endpoint to events of the catalogue (the answer
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

    @post("/{webhook_id:int}/replay", status_code=200, responses=problems(404, 409))
    async def replay_webhook(
        self, uow: UoW, webhook_id: PathId, data: JSONBody[WebhookReplay]
    ) -> WebhookRead:
        """Deliver the events again from `from_seq` (or from `since`) on, as far as the
        event log keeps them."""
        return await uow.write(webhooks.replay, webhook_id, data)

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


class ApiKeysController(Controller):
    """Keys for integrations (managers; no key reaches these routes)."""

    path = "/api/api-keys"
    tags = ["integrations"]
    guards = [requires()]

    @get("/", responses=problems())
    async def list_api_keys(self, uow: UoW) -> list[ApiKeyRead]:
        """The venue's keys (never the secrets), with each key's last use."""
        return await uow.read(keys.list_keys)

    @post("/", responses=problems(409))
    async def create_api_key(self, uow: UoW, data: JSONBody[ApiKeyCreate]) -> ApiKeyCreated:
        """A key for one integration with its scopes; the key is in the answer, shown
        this once: send it as `Authorization: Bearer <key>`."""
        return await uow.write(keys.create, data)

    @post("/{key_id:int}/rotate", status_code=200, responses=problems(404, 409))
    async def rotate_api_key(self, uow: UoW, state: State, key_id: PathId) -> ApiKeyCreated:
        """A new secret for the key (shown this once); the old one is refused at once."""
        try:
            return await uow.write(keys.rotate, key_id)
        finally:
            state.key_ring.forget(uow.caller.venue_id, key_id)

    @post("/{key_id:int}/revoke", status_code=200, responses=problems(404, 409))
    async def revoke_api_key(self, uow: UoW, state: State, key_id: PathId) -> ApiKeyRead:
        """Revoke the key: refused at once."""
        try:
            return await uow.write(keys.revoke, key_id)
        finally:
            state.key_ring.forget(uow.caller.venue_id, key_id)
