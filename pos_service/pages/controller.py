"""Page routes: public HTML shells; the PIN sign-in and all data go through the API.

Each page gets the settings it needs to start (the venue to sign in to on a demo server,
the station of a kitchen screen, the guest token) and nothing else: no data is rendered
on the server, so a page is never stale and never leaks what its caller may not see.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, Request, get
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery, QueryParameter
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.response import Redirect, Response, Template
from litestar.static_files import create_static_files_router
from litestar.template import TemplateConfig

from pos_service import i18n
from pos_service.setup import service as first_run

WEB = Path(__file__).resolve().parents[2] / "web"

LANGUAGE_COOKIE = "pos_lang"
"""Set by a page once it knows its reader's language (the person signed in, or the
guest's choice); it wins over ``Accept-Language``."""


def page_language(request: Request[Any, Any, Any]) -> str:
    """The language a page is rendered in: the ``pos_lang`` cookie, else the browser's
    ``Accept-Language``, else English."""
    return (
        i18n.reader_language(
            request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
        )
        or i18n.SOURCE
    )


def _translate(context: Mapping[str, Any], /, message: str, **values: object) -> str:
    """``{{ _("text") }}`` in a template: the text in the page's language."""
    return i18n.gettext(page_language(context["request"]), message, **values)


def _language(context: Mapping[str, Any]) -> str:
    return page_language(context["request"])


def _engine_callback(engine: JinjaTemplateEngine) -> None:
    engine.register_template_callable("_", _translate)
    engine.register_template_callable("language", _language)


TEMPLATES = TemplateConfig(
    directory=WEB / "templates", engine=JinjaTemplateEngine, engine_callback=_engine_callback
)
"""Jinja2 over ``web/templates`` (autoescaped: ``.html`` templates), with ``_`` for
texts and ``language()`` for the page's language."""

static_files = create_static_files_router(path="/static", directories=[WEB / "static"])
"""``web/static`` under ``/static``: the pages' one script library, scripts and stylesheet."""


def inline_styles() -> tuple[str, ...]:
    """The inline ``<style>`` blocks of the templates (the receipt's, which is e-mailed
    too), for the content security policy to allow by hash. Pages use ``pos.css``."""
    found: list[str] = []
    for template in sorted((WEB / "templates").glob("*.html")):
        found += re.findall(r"<style>(.*?)</style>", template.read_text(), re.DOTALL)
    return tuple(found)


@functools.cache
def service_worker() -> bytes:
    """``web/static/sw.js`` with the version of the page files (a hash of the templates
    and static files) and the list of static files to keep: a release with any changed
    file installs a new cache in every browser (docs/pages.md, "Offline")."""
    files = sorted(p for d in ("static", "templates") for p in (WEB / d).iterdir() if p.is_file())
    digest = hashlib.sha256()
    for p in files:
        digest.update(p.name.encode() + b"\0" + p.read_bytes())
    static = [f"/static/{p.name}" for p in files if p.parent.name == "static" and p.name != "sw.js"]
    source = (WEB / "static" / "sw.js").read_text()
    source = source.replace("__VERSION__", digest.hexdigest()[:16])
    return source.replace("__STATIC__", json.dumps(static)).encode()


MANIFEST = {
    "name": "pos_service",
    "short_name": "POS",
    "description": "Handheld, kitchen screen, host stand and manager pages of the venue",
    "start_url": "/app/handheld",
    "scope": "/",
    "display": "standalone",
    "background_color": "#1f2933",
    "theme_color": "#1f2933",
    "icons": [
        {"src": "/static/icon.svg", "sizes": "any", "type": "image/svg+xml", "purpose": "any"}
    ],
}
"""The web app manifest: the pages install as one app (a kitchen screen opens its own
address, which stays in the browser's history of the installed app)."""

Station = Annotated[str, QueryParameter(pattern=r"^[\w-]{1,64}$")]


def _page(state: State, name: str, **context: Any) -> Template:
    venue = "demo" if state.settings.demo else ""
    return Template(template_name=f"{name}.html", context={"page": name, "venue": venue, **context})


class PagesController(Controller):
    """The device pages. ``include_in_schema=False``: they are not part of the API."""

    include_in_schema = False

    @get("/")
    async def index(self, state: State) -> Redirect:
        """The root leads to the handheld, the page most devices open; on a server
        without a venue yet, to the first-run setup."""
        async with state.sessions() as session, session.begin():
            needed = (await first_run.status(session)).needed
        return Redirect("/app/setup" if needed else "/app/handheld")

    @get("/sw.js", sync_to_thread=False)
    def worker(self) -> Response[bytes]:
        """The service worker, from the root so that its scope covers every page; never
        kept by a cache, so a new release is seen on the next start."""
        return Response(
            service_worker(),
            media_type="text/javascript",
            headers={"Cache-Control": "no-cache", "Service-Worker-Allowed": "/"},
        )

    @get("/manifest.webmanifest", sync_to_thread=False)
    def manifest(self) -> Response[dict[str, Any]]:
        """The web app manifest (installable app shell)."""
        return Response(MANIFEST, media_type="application/manifest+json")

    @get("/app/handheld", sync_to_thread=False)
    def handheld(self, state: State) -> Template:
        """The waiter's phone: floor, checks, menu, send, fire, void, pay; works offline."""
        return _page(state, "handheld")

    @get("/app/kitchen", sync_to_thread=False)
    def kitchen(
        self,
        state: State,
        station: Station = "hot",
        mode: FromQuery[Literal["station", "expo"]] = "station",
    ) -> Template:
        """A station's screen (``?station=hot``) or the pass (``?mode=expo``)."""
        return _page(state, "kitchen", station=station, mode=mode)

    @get("/app/host", sync_to_thread=False)
    def host(self, state: State) -> Template:
        """The host stand: reservation book, availability, booking, waitlist, floor."""
        return _page(state, "host")

    @get("/app/manager", sync_to_thread=False)
    def manager(self, state: State) -> Template:
        """Menu counts, floor, printers, approvals, reports and end of day."""
        return _page(state, "manager")

    @get("/app/setup", sync_to_thread=False)
    def setup(self, state: State) -> Template:
        """First run: the setup code, the venue and its owner (the API refuses once a
        venue exists, and the page then points to the manager's sign-in)."""
        return _page(state, "setup")

    @get("/app/manager/menu", sync_to_thread=False)
    def manager_menu(self, state: State) -> Template:
        """The menu editor: categories, items, modifier groups, schedules, stations,
        courses, import and export."""
        return _page(state, "manager-menu")

    @get("/i18n/{language:str}", sync_to_thread=False, cache=3600)
    def texts(self, language: FromPath[str]) -> Response[bytes]:
        """The pages' texts in a language, as a script setting ``POS_TEXTS`` (loaded
        before pos.js; an unknown language gets an empty object: English)."""
        catalog = i18n.pages_catalog(language) if language in i18n.LANGUAGES else {}
        body = b"window.POS_TEXTS = " + msgspec.json.encode(catalog) + b";\n"
        return Response(body, media_type="text/javascript; charset=utf-8")

    @get("/guest/{token:str}", sync_to_thread=False)
    def guest(self, state: State, token: FromPath[str]) -> Template:
        """The guest's own phone: the check of the link, a share, a tip, pay by card."""
        return _page(state, "guest", token=token)
