"""Push endpoints: the VAPID public key, staff subscriptions, unsubscribe, and delivery status."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.params import JSONBody, QueryParameter

from backend.accounts.guards import principal_of, public, staff
from backend.push import outbox
from backend.push.schemas import MessageOut, MessageStatus, SubscriptionIn, SubscriptionOut, UnsubscribeIn, VapidKeyOut
from backend.push.vapid import load_keyring


class PushController(Controller):
    path = "/api/push"
    tags = ["push"]

    @get("/vapid-key", guards=[public], summary="The key the PWA subscribes with (applicationServerKey)")
    async def vapid_key(self) -> VapidKeyOut:
        key = load_keyring().current
        return VapidKeyOut(public_key=key.public_key, key_id=key.key_id)

    @post("/subscriptions", guards=[staff()], status_code=201, summary="Subscribe this staff browser")
    async def subscribe(self, request: Request[Any, Any, Any], data: JSONBody[SubscriptionIn]) -> SubscriptionOut:
        return await outbox.subscribe_staff(principal_of(request).user_id, data, request.headers.get("user-agent", ""))

    @delete(
        "/subscriptions",
        guards=[public],
        status_code=204,
        summary="Unsubscribe an endpoint (knowing the endpoint is the proof)",
    )
    async def unsubscribe(self, data: JSONBody[UnsubscribeIn]) -> None:
        await outbox.unsubscribe(data.endpoint)

    @get("/messages", guards=[staff("supervisor", "admin")], summary="Push delivery status, newest first")
    async def messages(
        self,
        status: Annotated[MessageStatus | None, QueryParameter(description="Only this status")] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=500)] = 100,
        before_id: Annotated[
            int | None, QueryParameter(description="Page: ids below this one", ge=1, le=2**63 - 1)
        ] = None,
    ) -> list[MessageOut]:
        return await outbox.list_messages(status, limit, before_id)
