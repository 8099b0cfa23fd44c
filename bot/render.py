"""Plain-text rendering of a reply: the terminal, and the fallback of every channel."""

from __future__ import annotations

from bot.cards import heading
from bot.messages import AnswerCard, ChoicesPart, Reply, TextPart


def plain_text(reply: Reply) -> str:
    blocks: list[str] = []
    for part in reply.parts:
        if isinstance(part, TextPart):
            blocks.append(part.text)
        elif isinstance(part, ChoicesPart):
            blocks.append(render_choices(part))
        elif isinstance(part, AnswerCard):
            blocks.append(render_card(part))
    return "\n\n".join(b for b in blocks if b)


def render_choices(part: ChoicesPart) -> str:
    if not part.numbered:
        # Quick replies are words the user types back (详细, 有用), not numbers to pick.
        return f"{part.prompt}{'｜'.join(choice.label for choice in part.choices)}"
    lines = [part.prompt] if part.prompt else []
    lines += [f"{n}. {choice.label}" for n, choice in enumerate(part.choices, start=1)]
    return "\n".join(lines)


def render_card(card: AnswerCard, *, with_sections: bool = True) -> str:
    lines = [heading(card.title), f"{card.kind} · {card.status}"]
    if card.warning:
        lines.append(f"⚠ {card.warning}")
    if card.short_answer:
        lines.append(card.short_answer)
    if with_sections:
        for section, text in card.sections:
            lines.append(f"{section}：{text}")
    lines += [f"{fact.label}：{fact.value}" for fact in card.facts]
    if card.source_url:
        lines.append(f"原文：{card.source_url}")
    lines.append(card.disclaimer)
    return "\n".join(lines)
