"""Turning a consultation's reply into an FAQ form, and a filled-in form into a record.

A draft obeys the same rules as an imported record (`validate_row`: identifiers, cleaning, life
events from the taxonomy), plus the limits of a form typed by hand.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping

from config.taxonomy import Taxonomy
from knowledge.enums import Audience, Kind, Publication
from knowledge.importing.validate import validate_row
from knowledge.record import RecordContent
from knowledge.review_types import DraftForm, DraftInvalidError, ReplySource

MAX_QUESTION = 500
MAX_ANSWER = 20_000
MAX_ALT_QUESTIONS = 20
MAX_COMMENT = 2_000

# The form's names for the record fields `validate_row` may complain about.
_FIELD_LABELS = {
    "id": "编号",
    "title": "问题",
    "body": "答案",
    "alt_questions": "其他问法",
    "life_events": "人生事件",
    "department": "主管部门",
    "hotline": "咨询电话",
    "audience": "服务对象",
}


def prefill(source: ReplySource, taxonomy: Taxonomy, departments: Mapping[str, str]) -> DraftForm:
    """The form as first shown: the citizen's question, the last reply, what was detected."""
    event = taxonomy.resolve(source.life_event) if source.life_event else None
    audience = source.audience if source.audience in {a.value for a in Audience} else "individual"
    return DraftForm(
        question=source.question.strip()[:MAX_QUESTION],
        answer=source.answer.strip(),
        life_events=(event.code,) if event else (),
        department=source.department if source.department in departments else "",
        audience=audience,
    )


def draft_record_id(number: str, taken: Callable[[str], bool]) -> str:
    """`faq-<consultation number>`, with -2, -3… when that consultation already gave one."""
    base = f"faq-{number.strip().lower()}"
    candidate, suffix = base, 1
    while taken(candidate):
        suffix += 1
        candidate = f"{base}-{suffix}"
    return candidate


def draft_content(
    record_id: str,
    form: DraftForm,
    taxonomy: Taxonomy,
    departments: Mapping[str, str],
    policy_exists: Callable[[str], bool],
) -> RecordContent:
    """The FAQ record for `form`, waiting for review; every problem of the form at once."""
    problems: list[str] = []
    question, answer = form.question.strip(), form.answer.strip()
    if len(question) > MAX_QUESTION:
        problems.append(f"问题过长（{len(question)} 字），最多 {MAX_QUESTION} 字")
    if len(answer) > MAX_ANSWER:
        problems.append(f"答案过长（{len(answer)} 字），最多 {MAX_ANSWER} 字")
    alternatives = [q.strip() for q in form.alt_questions if q.strip() and q.strip() != question]
    alternatives = list(dict.fromkeys(alternatives))
    if len(alternatives) > MAX_ALT_QUESTIONS:
        problems.append(f"其他问法最多 {MAX_ALT_QUESTIONS} 条（现有 {len(alternatives)} 条）")
    if any(len(q) > MAX_QUESTION for q in alternatives):
        problems.append(f"每条其他问法最多 {MAX_QUESTION} 字")
    if form.department not in departments:
        problems.append("请选择主管部门" if not form.department else "主管部门不在部门列表中")
    policy_id = form.policy_id.strip()
    if policy_id and not policy_exists(policy_id):
        problems.append(f"知识库中没有编号为“{policy_id}”的政策")
    raw: dict[str, object] = {
        "id": record_id,
        "kind": Kind.FAQ.value,
        "title": question,
        "body": answer,
        "alt_questions": alternatives,
        "life_events": list(form.life_events),
        "department": form.department,
        "hotline": departments.get(form.department, ""),
        "audience": form.audience,
        "publication": Publication.PENDING_REVIEW.value,
    }
    checked = validate_row("问答草稿", 1, raw, taxonomy)
    if isinstance(checked, list):
        problems += [f"{_FIELD_LABELS.get(e.field, e.field)}：{e.reason}" for e in checked]
    if problems:
        raise DraftInvalidError(problems)
    assert isinstance(checked, RecordContent)
    return checked


def form_of(content: RecordContent, policy_id: str) -> DraftForm:
    """The form for editing an existing draft."""
    return DraftForm(
        question=content.title,
        answer=content.body,
        alt_questions=content.alt_questions,
        life_events=content.life_events,
        department=content.department,
        audience=content.audience.value,
        policy_id=policy_id,
    )


def clean_comment(comment: str, *, required: bool) -> str:
    comment = comment.strip()
    if required and not comment:
        raise DraftInvalidError(["退回时请写明理由，作者据此修改"])
    if len(comment) > MAX_COMMENT:
        raise DraftInvalidError([f"审核意见过长（{len(comment)} 字），最多 {MAX_COMMENT} 字"])
    return comment
