"""Sign-in and manager approvals."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import JSONBody

from pos_service.core.auth import Caller
from pos_service.core.errors import problems
from pos_service.staff import service
from pos_service.staff.schemas import ApprovalRead, ApprovalRequest, Login, LoginResult, StaffRead


def _client(request: Request[Any, Any, Any]) -> str:
    return request.client.host if request.client else "unknown"


class AuthController(Controller):
    path = "/api/auth"
    tags = ["auth"]

    @post("/login", exclude_from_auth=True, status_code=200, responses=problems(404, 429))
    async def login(
        self, request: Request[Any, Any, Any], state: State, data: JSONBody[Login]
    ) -> LoginResult:
        """Sign in with the venue's slug and a PIN; answers a short-lived bearer token."""
        security: service.Security = state.security
        client = _client(request)
        member, token = await service.with_pin_attempt(
            state.sessions,
            security,
            data.venue,
            client,
            lambda session: service.login(session, security, data.venue, data.pin, client),
        )
        return LoginResult(
            token=token,
            expires_in=security.token_ttl,
            venue_id=member.venue_id,
            staff=StaffRead(id=member.id, name=member.name, roles=list(member.roles)),
        )

    @post("/approve", status_code=200, responses=problems(404, 429))
    async def approve(
        self, request: Request[Caller, Any, Any], state: State, data: JSONBody[ApprovalRequest]
    ) -> ApprovalRead:
        """A manager's PIN gives a one-use approval for one action (e.g. ``void``)."""
        security: service.Security = state.security
        caller = request.user
        client = _client(request)
        member, token = await service.with_pin_attempt(
            state.sessions,
            security,
            caller.venue_id,
            client,
            lambda session: service.approve(
                session, security, caller, data.pin, data.action, client
            ),
        )
        return ApprovalRead(
            approval=token,
            action=data.action,
            expires_in=security.approval_ttl,
            approver=StaffRead(id=member.id, name=member.name, roles=list(member.roles)),
        )
