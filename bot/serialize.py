"""Replies to and from JSON: kept for replayed deliveries and the web chat's history."""

from __future__ import annotations

import json
from dataclasses import asdict
from typing import Any

from bot.messages import (
    Action,
    AnswerCard,
    CardFact,
    Choice,
    ChoicesPart,
    Reply,
    ReplyPart,
    ShownRecord,
    TextPart,
)


def part_to_dict(part: ReplyPart) -> dict[str, Any]:
    kind = {TextPart: "text", ChoicesPart: "choices", AnswerCard: "card"}[type(part)]
    return {"type": kind, **asdict(part)}


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    return {
        "action": reply.action.value,
        "text": reply.text,
        "parts": [part_to_dict(p) for p in reply.parts],
        "records": [asdict(r) for r in reply.records],
        "consultation_number": reply.consultation_number,
        "feedback_token": reply.feedback_token,
        "extra": reply.extra,
    }


def reply_to_json(reply: Reply) -> str:
    return json.dumps(reply_to_dict(reply), ensure_ascii=False)


def reply_from_json(text: str) -> Reply:
    data = json.loads(text)
    return Reply(
        action=Action(data["action"]),
        parts=tuple(_part(p) for p in data["parts"]),
        records=tuple(
            ShownRecord(**{**r, "life_events": tuple(r["life_events"])}) for r in data["records"]
        ),
        consultation_number=data.get("consultation_number", ""),
        feedback_token=data.get("feedback_token", ""),
        extra=dict(data.get("extra", {})),
    )


def _part(data: dict[str, Any]) -> ReplyPart:
    kind = data.pop("type")
    if kind == "text":
        return TextPart(**data)
    if kind == "choices":
        choices = tuple(Choice(**c) for c in data["choices"])
        return ChoicesPart(data["prompt"], choices, data.get("numbered", True))
    return AnswerCard(
        **{
            **data,
            "facts": tuple(CardFact(**f) for f in data["facts"]),
            "sections": tuple(tuple(s) for s in data["sections"]),
        }
    )
