"""Sign-in, manager approvals, staff management, clocking in and out, tip pool rule."""

from __future__ import annotations

from typing import Any, cast

from litestar import Controller, Request, get, patch, post, put
from litestar.datastructures import State
from litestar.params import JSONBody

from pos_service.core.auth import Caller, client_address, json_only, owner_only, requires
from pos_service.core.errors import problems
from pos_service.core.schemas import PathId
from pos_service.core.uow import UoW
from pos_service.i18n import Language
from pos_service.rosters import clocking
from pos_service.rosters.schemas import ClockIn
from pos_service.staff import service
from pos_service.staff.schemas import (
    ApprovalRead,
    ApprovalRequest,
    Login,
    LoginResult,
    MembershipCreate,
    ShiftRead,
    StaffCreate,
    StaffMember,
    StaffPatch,
    StaffRead,
    TipPool,
)


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post(
        "/login",
        exclude_from_auth=True,
        guards=[json_only],
        status_code=200,
        responses=problems(404, 415, 429),
    )
    async def login(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[Login]
    ) -> LoginResult:
        """Sign in with the venue's slug, a PIN and the enrolled device's credential;
        answers a bearer token that ends with the member's or device's changes."""
        security: service.Security = state.security
        attempt = service.Attempt()
        attempt.client = client_address(request)
        member, token, language = await service.with_pin_attempt(
            state.sessions,
            security,
            state.publisher,
            attempt,
            lambda session: service.login(
                session, security, data.venue, data.pin, data.device, attempt
            ),
        )
        return LoginResult(
            token=token,
            expires_in=security.token_ttl,
            venue_id=member.venue_id,
            staff=StaffRead(id=member.id, name=member.name, roles=list(member.roles)),
            language=cast("Language", language),
        )

    @post("/approve", guards=[json_only], status_code=200, responses=problems(404, 415, 429))
    async def approve(
        self, request: Request[Caller, Any, Any], state: State, data: JSONBody[ApprovalRequest]
    ) -> ApprovalRead:
        """A manager's PIN gives a one-use approval for one action (e.g. ``void``); a
        wrong PIN counts against the device, the caller and the venue as at sign-in."""
        security: service.Security = state.security
        caller = request.user
        attempt = service.Attempt()
        attempt.client = client_address(request)
        member, token = await service.with_pin_attempt(
            state.sessions,
            security,
            state.publisher,
            attempt,
            lambda session: service.approve(
                session, security, caller, data.pin, data.action, attempt
            ),
        )
        return ApprovalRead(
            approval=token,
            action=data.action,
            expires_in=security.approval_ttl,
            approver=StaffRead(id=member.id, name=member.name, roles=list(member.roles)),
        )


WORKERS = [requires("waiter", "host", "kitchen", "bar", "owner")]


class StaffController(Controller):
    path = "/api"
    tags = ["staff"]

    @get("/staff", guards=[requires()], responses=problems(404))
    async def list_staff(self, uow: UoW) -> list[StaffMember]:
        """The venue's staff and their roles (managers)."""
        return await uow.read(service.list_staff)

    @post("/staff", guards=[requires()], responses=problems(404, 409))
    async def add_staff(self, uow: UoW, state: State, data: JSONBody[StaffCreate]) -> StaffMember:
        """Add a member with roles and a PIN unused in the venue and its group."""
        return await uow.write(service.add_staff, state.security, data)

    @patch("/staff/{staff_id:int}", guards=[requires()], responses=problems(404, 409))
    async def patch_staff(
        self, uow: UoW, state: State, staff_id: PathId, data: JSONBody[StaffPatch]
    ) -> StaffMember:
        """Rename a member, change their roles or PIN, deactivate or reactivate them; a
        change of roles, PIN or activity ends the member's sessions."""
        try:
            return await uow.write(service.patch_staff, state.security, staff_id, data)
        finally:
            state.guard.forget(uow.caller.venue_id)

    @post("/staff/clock-in", guards=WORKERS, responses=problems(403, 404, 409))
    async def clock_in(self, uow: UoW, data: JSONBody[ClockIn | None] = None) -> ShiftRead:
        """Start a shift for the signed-in member (409 if one is open), measured against
        their published roster shift: early, late or unplanned beyond the venue's
        tolerance needs a manager's ``approval`` for ``clock_in`` (403 naming it)."""
        return await uow.write(clocking.clock_in, data)

    @post("/staff/breaks/start", status_code=200, guards=WORKERS, responses=problems(404, 409))
    async def start_break(self, uow: UoW) -> ShiftRead:
        """Go on a break within the open shift (409 if not clocked in or on one)."""
        return await uow.write(service.take_break, True)

    @post("/staff/breaks/end", status_code=200, guards=WORKERS, responses=problems(404, 409))
    async def end_break(self, uow: UoW) -> ShiftRead:
        """Come back from the break (409 if not on one)."""
        return await uow.write(service.take_break, False)

    @post("/staff/clock-out", status_code=200, guards=WORKERS, responses=problems(404, 409))
    async def clock_out(self, uow: UoW) -> ShiftRead:
        """End the signed-in member's open shift (409 if none is)."""
        return await uow.write(service.clock_out)

    @get("/tip-pool", guards=[requires()], responses=problems(404))
    async def get_tip_pool(self, uow: UoW) -> TipPool:
        """How the venue pools card tips at the day close."""
        return await uow.read(service.get_tip_pool)

    @put("/tip-pool", guards=[requires()], responses=problems(404))
    async def set_tip_pool(self, uow: UoW, data: JSONBody[TipPool]) -> TipPool:
        """Set the tip pooling rule (by hours worked or by points per role)."""
        return await uow.write(service.set_tip_pool, data)

    @post("/group/memberships", guards=[owner_only], responses=problems(404, 409))
    async def add_membership(self, uow: UoW, data: JSONBody[MembershipCreate]) -> StaffMember:
        """Let a member sign in at another venue of the group with their PIN (owners)."""
        return await uow.write(service.add_membership, data)
