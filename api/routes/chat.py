"""The portal's web chat: the page, and the JSON API behind it (no login; a session cookie)."""

from __future__ import annotations

import re
import secrets
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Cookie, Query, Request, Response
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, Field

from api.deps import ConversationsDep, EngineDep, TemplatesDep
from bot.messages import IncomingMessage
from bot.serialize import reply_from_json, reply_to_bytes, reply_to_dict

router = APIRouter()
CHANNEL = "web"
COOKIE = "pa_chat"
_SESSION = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
SESSION_DAYS = 30


class ChatIn(BaseModel):
    message_id: str = Field(default="", max_length=100, description="客户端生成，重发时不变")
    text: str = Field(default="", max_length=10_000)
    payload: str = Field(default="", max_length=200)


class NoticeOut(BaseModel):
    id: int
    consultation_number: str
    text: str
    created_at: datetime


class NoticesOut(BaseModel):
    notices: list[NoticeOut]


def _session(cookie: str | None) -> tuple[str, bool]:
    if cookie and _SESSION.match(cookie):
        return cookie, False
    return secrets.token_urlsafe(18), True


def _keep_session(request: Request, response: Response, session: str) -> None:
    response.set_cookie(
        COOKIE,
        session,
        max_age=SESSION_DAYS * 86_400,
        httponly=True,
        samesite="lax",
        secure=request.url.scheme == "https",
    )


@router.get("/", response_class=HTMLResponse, include_in_schema=False)
def chat_page(request: Request, templates: TemplatesDep, embed: bool = False) -> HTMLResponse:
    return templates.TemplateResponse(request, "chat.html", {"embed": embed})


@router.post("/api/chat/messages", tags=["chat"], response_model=dict[str, Any])
def post_message(
    body: ChatIn,
    request: Request,
    engine: EngineDep,
    pa_chat: Annotated[str | None, Cookie()] = None,
) -> Response:
    session, new = _session(pa_chat)
    message = IncomingMessage(
        channel=CHANNEL,
        user_id=session,
        message_id=body.message_id.strip() or secrets.token_hex(12),
        sent_at=datetime.now(UTC),
        text=body.text,
        payload=body.payload.strip(),
    )
    reply = engine.handle(message)  # blocking (database, search): this route runs in a thread
    # Encoded here (orjson, the bytes a JSONResponse of `reply_to_dict` would send): FastAPI's
    # validation and encoding walk over every card and choice is skipped.
    response = Response(reply_to_bytes(reply), media_type="application/json")
    if new:
        _keep_session(request, response, session)
    return response


@router.get("/api/chat/history", tags=["chat"])
def history(
    request: Request,
    response: Response,
    conversations: ConversationsDep,
    pa_chat: Annotated[str | None, Cookie()] = None,
) -> dict[str, Any]:
    session, new = _session(pa_chat)
    if new:
        _keep_session(request, response, session)
        return {"exchanges": [], "last_notice": 0}
    exchanges = [
        {"id": row, "user": text, "reply": reply_to_dict(reply_from_json(reply))}
        for row, text, reply in conversations.exchanges_since(CHANNEL, session, 0)
    ]
    return {"exchanges": exchanges, "last_notice": conversations.last_notice_id(CHANNEL, session)}


@router.get("/api/chat/updates", tags=["chat"])
def updates(
    conversations: ConversationsDep,
    after: Annotated[int, Query(ge=0)] = 0,
    pa_chat: Annotated[str | None, Cookie()] = None,
) -> NoticesOut:
    session, new = _session(pa_chat)
    if new:
        return NoticesOut(notices=[])
    notices = conversations.notices_since(CHANNEL, session, after)
    return NoticesOut(
        notices=[NoticeOut(**n.__dict__) for n in notices],
    )
