"""The bills, payments, gift-card and guest APIs: thin handlers, one service call each."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, MediaType, Request, Response, get, post
from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import FromPath, JSONBody

from pos_service.core import qr
from pos_service.core.auth import requires
from pos_service.core.errors import Unauthorized, problems
from pos_service.core.lean import lean
from pos_service.core.schemas import PathId
from pos_service.core.uow import UnitOfWork, UoW, unit_of_work
from pos_service.guests.schemas import LoyaltyRedeem
from pos_service.payments import documents, service, settle
from pos_service.payments.provider import PaymentProvider
from pos_service.payments.schemas import (
    BillRead,
    CompCreate,
    DiscountCreate,
    GiftCardCreate,
    GiftCardRead,
    GuestLinkRead,
    GuestPaymentCreate,
    PaymentCreate,
    PaymentResult,
    ReceiptEmail,
    ReceiptPrinted,
    ReceiptSent,
    RefundCreate,
    SplitRequest,
)
from pos_service.public.guard import base_url


def provide_provider(state: State) -> PaymentProvider:
    """The installation's payment provider (``app.state.payment_provider``)."""
    provider: PaymentProvider = state.payment_provider
    return provider


async def provide_guest_uow(request: Request[Any, Any, Any], token: FromPath[str]) -> UnitOfWork:
    """The unit of work of a guest link: 401 if the token is forged, expired or not a guest's."""
    caller = request.app.state.signer.verify(token)
    if caller.kind != "guest" or caller.check_id is None:
        raise Unauthorized("not a guest link", field="token")
    return await unit_of_work(request, caller)


PROVIDER = {"provider": Provide(provide_provider, sync_to_thread=False)}
Provider = NamedDependency[PaymentProvider]
Guest = NamedDependency[UnitOfWork]


class BillsController(Controller):
    path = "/api/checks"
    tags = ["bills"]
    guards = [requires("waiter")]
    dependencies = PROVIDER

    @get("/{check_id:int}/bill", responses=problems(404))
    async def bill(self, uow: UoW, check_id: PathId) -> BillRead:
        """The bill: lines, discounts, comps, service charge, taxes per rate, parts, due."""
        return await uow.read(service.get_bill, check_id)

    @post("/{check_id:int}/discounts", responses=problems(404, 409))
    async def discount(
        self, uow: UoW, check_id: PathId, data: JSONBody[DiscountCreate]
    ) -> BillRead:
        """Discount a line or the check (a manager approves above the venue's threshold)."""
        return await uow.write(service.add_discount, check_id, data)

    @post("/{check_id:int}/comps", responses=problems(404, 409))
    async def comp(self, uow: UoW, check_id: PathId, data: JSONBody[CompCreate]) -> BillRead:
        """Comp a line, with a manager's approval for ``comp``."""
        return await uow.write(service.add_comp, check_id, data)

    @lean
    @post("/{check_id:int}/split", status_code=200, responses=problems(404, 409))
    async def split(
        self, uow: UoW, check_id: PathId, data: JSONBody[SplitRequest]
    ) -> Response[BillRead]:
        """Split what is not being paid (or one part); paid parts are kept as they are."""
        return await uow.reply(service.split, check_id, data)

    @lean
    @post("/{check_id:int}/payments", responses=problems(404, 409))
    async def pay(
        self,
        uow: UoW,
        provider: Provider,
        check_id: PathId,
        data: JSONBody[PaymentCreate],
    ) -> Response[PaymentResult]:
        """Take a cash, card or gift-card payment on a part or the unsplit check."""
        if data.method == "cash":  # a lean write, answered with its stored bytes
            return await uow.reply(service.pay_cash, provider, check_id, data)
        return Response(await settle.pay(uow, provider, check_id, data))

    @post("/{check_id:int}/loyalty-redeem", status_code=200, responses=problems(404, 409))
    async def loyalty_redeem(
        self, uow: UoW, check_id: PathId, data: JSONBody[LoyaltyRedeem]
    ) -> BillRead:
        """Redeem points of the check's guest as a reward discount on the bill."""
        return await uow.write(service.redeem_points, check_id, data)

    @get("/{check_id:int}/gift-cards", responses=problems(404))
    async def gift_cards(self, uow: UoW, check_id: PathId) -> list[GiftCardRead]:
        """The gift cards this check sold (issued when it was paid)."""
        return await uow.read(service.check_gift_cards, check_id)

    @post("/{check_id:int}/refunds", guards=[requires("manager")], responses=problems(404, 409))
    async def refund(
        self,
        uow: UoW,
        provider: Provider,
        check_id: PathId,
        data: JSONBody[RefundCreate],
    ) -> PaymentResult:
        """Refund (part of) a payment, as a negative payment (managers only)."""
        return await settle.refund(uow, provider, check_id, data)

    @lean
    @post("/{check_id:int}/close", status_code=200, responses=problems(404, 409))
    async def close(self, uow: UoW, check_id: PathId) -> Response[BillRead]:
        """Close a check with nothing due (checks close by themselves when paid)."""
        return await uow.reply(service.close_check, check_id)

    @post("/{check_id:int}/prebill", status_code=200, responses=problems(404, 409))
    async def prebill(self, uow: UoW, check_id: PathId) -> BillRead:
        """The bill is brought to the table: the table turns ``bill_requested``."""
        return await uow.write(service.request_bill, check_id)

    @post("/{check_id:int}/guest-link", responses=problems(404, 409))
    async def guest_link(
        self, request: Request[Any, Any, Any], uow: UoW, state: State, check_id: PathId
    ) -> GuestLinkRead:
        """A signed, expiring link that opens this check only, with its QR code."""
        ttl: int = state.settings.guest_link_ttl_seconds
        link = await uow.write(service.guest_link, state.signer, ttl, check_id)
        address = str(request.base_url).rstrip("/") + link.url
        return msgspec.structs.replace(link, qr_svg=qr.svg(address, title="Pay your bill"))

    @get("/{check_id:int}/receipt", media_type=MediaType.HTML, responses=problems(404))
    async def receipt(self, uow: UoW, check_id: PathId) -> Response[str]:
        """The receipt as an HTML page."""
        html = await uow.read(documents.receipt_html, check_id)
        return Response(html, media_type=MediaType.HTML)

    @post("/{check_id:int}/receipt/email", status_code=202, responses=problems(404, 409, 422))
    async def email_receipt(
        self, uow: UoW, check_id: PathId, data: JSONBody[ReceiptEmail]
    ) -> ReceiptSent:
        """Queue the receipt for the guest's e-mail address (the mail outbox sends it)."""
        return await uow.write(documents.email_receipt, check_id, data)

    @post("/{check_id:int}/receipt/print", status_code=202, responses=problems(404, 409))
    async def print_receipt(self, uow: UoW, check_id: PathId) -> ReceiptPrinted:
        """Print the receipt (open or paid check) on the venue's receipt printer."""
        return await uow.write(documents.print_receipt, check_id)


class PaymentsController(Controller):
    path = "/api/payments"
    tags = ["bills"]
    guards = [requires("waiter")]
    dependencies = PROVIDER

    @post("/{payment_id:int}/poll", status_code=200, responses=problems(404, 409))
    async def poll(self, uow: UoW, provider: Provider, payment_id: PathId) -> PaymentResult:
        """Ask the provider whether a pending card payment went through."""
        return await settle.poll(uow, provider, payment_id)


class GiftCardsController(Controller):
    path = "/api/gift-cards"
    tags = ["bills"]
    guards = [requires("waiter")]

    @post("/", guards=[requires("manager")], responses=problems(404, 409))
    async def create(self, uow: UoW, data: JSONBody[GiftCardCreate]) -> GiftCardRead:
        """Issue a gift card or voucher (managers only)."""
        return await uow.write(service.create_gift_card, data)

    @get("/{code:str}", responses=problems(404))
    async def get(self, uow: UoW, code: FromPath[str]) -> GiftCardRead:
        """A gift card's balance and expiry."""
        return await uow.read(service.get_gift_card, code)


class GuestController(Controller):
    """Pay at the table. No bearer token: the path's guest token is the credential."""

    path = "/api/guest/{token:str}"
    tags = ["guest"]
    dependencies = {**PROVIDER, "guest": Provide(provide_guest_uow)}

    @get("/bill", responses=problems(404))
    async def bill(self, guest: Guest) -> BillRead:
        """The bill of the link's check (401 expired link, 410 closed check)."""
        return await guest.read(service.guest_bill)

    @post("/payments", responses=problems(404, 409))
    async def pay(
        self, guest: Guest, provider: Provider, data: JSONBody[GuestPaymentCreate]
    ) -> PaymentResult:
        """Pay by card with a tip: a part, chosen items, or an amount."""
        return await settle.guest_pay(guest, provider, data)

    @get("/receipt", media_type=MediaType.HTML, responses=problems(404))
    async def receipt(self, guest: Guest) -> Response[str]:
        """The receipt of the link's check as an HTML page (also after it closed)."""
        return Response(await guest.read(documents.guest_receipt_html), media_type=MediaType.HTML)

    @post("/receipt/email", status_code=202, responses=problems(404, 422))
    async def email_receipt(
        self,
        guest: Guest,
        request: Request[Any, Any, Any],
        token: FromPath[str],
        data: JSONBody[ReceiptEmail],
    ) -> ReceiptSent:
        """The guest asks for the receipt by e-mail; it links back to this receipt."""
        link = base_url(request) + f"/api/guest/{token}/receipt"
        return await guest.write(documents.guest_email_receipt, data, link)

    @post("/payments/{payment_id:int}/poll", status_code=200, responses=problems(404, 409))
    async def poll(self, guest: Guest, provider: Provider, payment_id: PathId) -> PaymentResult:
        """Whether the guest's card payment went through."""
        return await settle.poll(guest, provider, payment_id)
