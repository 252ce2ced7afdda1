"""The returns and gift-card void APIs: thin handlers."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromPath, JSONBody

from pos_service.core.auth import requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UnitOfWork, UoW
from pos_service.payments import settle
from pos_service.payments.controller import PROVIDER, Provider
from pos_service.payments.provider import PaymentProvider
from pos_service.returns import service
from pos_service.returns.schemas import GiftCardVoid, GiftCardVoided, ReturnCreate, ReturnRead


async def _carry_on(uow: UnitOfWork, provider: PaymentProvider, payment_ids: list[int]) -> None:
    """Have the provider make the card refunds the return claimed (after its commit)."""
    for payment_id in payment_ids:
        await settle.carry_on(uow, provider, payment_id)


class ReturnsController(Controller):
    path = "/api/checks"
    tags = ["returns"]
    guards = [requires("waiter")]
    dependencies = PROVIDER

    @post("/{check_id:int}/returns", responses=problems(403, 404, 409))
    async def create(
        self, uow: UoW, provider: Provider, check_id: PathId, data: JSONBody[ReturnCreate]
    ) -> ReturnRead:
        """Give back units of lines of a paid check: each line's net (its discounts
        included) is refunded by the check's payments or in cash, and taken off the
        sales, tax per rate, stock and the guest's points. A manager approves above the
        venue's ``return_approval_minor``."""
        made = await uow.write(service.create_return, check_id, data)
        await _carry_on(uow, provider, made.payment_ids)
        return made

    @get("/{check_id:int}/returns", responses=problems(404))
    async def returns(self, uow: UoW, check_id: PathId) -> list[ReturnRead]:
        """The returns of a check, oldest first."""
        return await uow.read(service.list_returns, check_id)


class GiftCardVoidController(Controller):
    path = "/api/gift-cards"
    tags = ["returns"]
    guards = [requires("manager")]
    dependencies = PROVIDER

    @post("/{code:str}/void", status_code=200, responses=problems(404, 409))
    async def void(
        self, uow: UoW, provider: Provider, code: FromPath[str], data: JSONBody[GiftCardVoid]
    ) -> GiftCardVoided:
        """Void a gift card nobody has spent from (409 otherwise); one sold on a check is
        refunded like a return of it (managers only)."""
        voided = await uow.write(service.void_gift_card, code, data)
        if voided.refund is not None:
            await _carry_on(uow, provider, voided.refund.payment_ids)
        return voided
