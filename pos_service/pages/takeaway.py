"""The takeaway pages: the pickup screen (a staff device, e.g. a screen above the
counter signed in by any staff member) and the venue's public order page with the
guest's order status (no sign-in; the API charges every call to the public limits)."""

from __future__ import annotations

from typing import Annotated

from litestar import Controller, get
from litestar.datastructures import State
from litestar.params import PathParameter
from litestar.response import Template

from pos_service.pages.controller import _page
from pos_service.public.venue import SLUG

Slug = Annotated[str, PathParameter(pattern=SLUG)]
Token = Annotated[str, PathParameter(max_length=600)]


class TakeawayPagesController(Controller):
    include_in_schema = False

    @get("/app/pickup", sync_to_thread=False)
    def pickup(self, state: State) -> Template:
        """The pickup screen: order numbers, preparing and ready, live."""
        return _page(state, "pickup")

    @get("/order/{slug:str}", sync_to_thread=False)
    def order(self, slug: Slug) -> Template:
        """The venue's public order page: menu, pickup time, pay by card or at pickup."""
        return Template(template_name="order.html", context={"page": "order", "slug": slug})

    @get("/order/{slug:str}/status/{token:str}", sync_to_thread=False)
    def status(self, slug: Slug, token: Token) -> Template:
        """The guest's own order (the signed link): its number and state, live."""
        return Template(
            template_name="order.html", context={"page": "order", "slug": slug, "token": token}
        )
