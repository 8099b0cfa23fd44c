"""Replies to and from JSON: kept for replayed deliveries and the web chat's history.

orjson writes the dataclasses directly (fields in declaration order, tuples as arrays): the same
document `dataclasses.asdict` and `json.dumps` made, without copying every card and choice
into dictionaries first. The bytes are those of a `JSONResponse` (UTF-8, no spaces).
"""

from __future__ import annotations

from dataclasses import asdict, fields
from typing import Any

import orjson

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

_KINDS: dict[type[Any], str] = {TextPart: "text", ChoicesPart: "choices", AnswerCard: "card"}
_FIELDS = {kind: tuple(f.name for f in fields(kind)) for kind in _KINDS}


def part_to_dict(part: ReplyPart) -> dict[str, Any]:
    return {"type": _KINDS[type(part)], **asdict(part)}


def reply_to_dict(reply: Reply) -> dict[str, Any]:
    """The reply as plain JSON values (lists and dictionaries only)."""
    data = _shallow(reply)
    data["parts"] = [part_to_dict(p) for p in reply.parts]
    data["records"] = [asdict(r) for r in reply.records]
    return data


def reply_to_bytes(reply: Reply) -> bytes:
    """The JSON document of `reply_to_dict`, encoded (UTF-8)."""
    return orjson.dumps(_shallow(reply))


def reply_to_json(reply: Reply) -> str:
    return reply_to_bytes(reply).decode()


def _shallow(reply: Reply) -> dict[str, Any]:
    # Parts keep their dataclasses (orjson writes them), behind the "type" each part names.
    parts = [
        {"type": _KINDS[type(p)], **{name: getattr(p, name) for name in _FIELDS[type(p)]}}
        for p in reply.parts
    ]
    return {
        "action": reply.action.value,
        "text": reply.text,
        "parts": parts,
        "records": list(reply.records),
        "consultation_number": reply.consultation_number,
        "feedback_token": reply.feedback_token,
        "extra": reply.extra,
    }


def reply_from_json(text: str | bytes) -> Reply:
    data = orjson.loads(text)
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
