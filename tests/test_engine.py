"""The conversation engine through a fake channel, on the demo knowledge base and real SQLite."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from bot.engine import ConversationEngine
from bot.messages import Action, AnswerCard, ChoicesPart, IncomingMessage, Reply
from bot.store.models import ConsultationRow, FeedbackRow, ProcessedMessageRow
from bot.wiring import open_engine
from indexer.wiring import open_search
from knowledge.store.base import make_session_factory
from knowledge.store.wiring import KnowledgeBase, open_knowledge
from tests.conftest import LIFE_EVENTS, copy_of_demo, settings_for

_ids = itertools.count(1)


@pytest.fixture(scope="module")
def kb(tmp_path_factory: pytest.TempPathFactory, demo_database: str) -> Iterator[KnowledgeBase]:
    url = copy_of_demo(demo_database, tmp_path_factory.mktemp("engine"))
    knowledge = open_knowledge(url, LIFE_EVENTS)
    yield knowledge
    knowledge.close()


@pytest.fixture(scope="module")
def engine(kb: KnowledgeBase, tmp_path_factory: pytest.TempPathFactory) -> ConversationEngine:
    url = str(kb.engine.url)
    settings = settings_for(url, tmp_path_factory.mktemp("engine-index") / "index")
    search = open_search(settings, kb.store, kb.taxonomy)
    return open_engine(settings, kb, search)[0]


@dataclass
class FakeChannel:
    """A person on a channel: sends messages with fresh delivery ids, keeps the replies."""

    engine: ConversationEngine
    user: str = field(default_factory=lambda: f"user-{next(_ids)}")
    clock: datetime = field(default_factory=lambda: datetime(2026, 11, 20, 9, 0, tzinfo=UTC))
    replies: list[Reply] = field(default_factory=list)

    def send(self, text: str = "", *, payload: str = "", message_id: str = "") -> Reply:
        self.clock += timedelta(seconds=20)
        message = IncomingMessage(
            channel="test",
            user_id=self.user,
            message_id=message_id or f"m-{next(_ids)}",
            sent_at=self.clock,
            text=text,
            payload=payload,
        )
        reply = self.engine.handle(message)
        self.replies.append(reply)
        return reply


@pytest.fixture
def person(engine: ConversationEngine) -> FakeChannel:
    return FakeChannel(engine)


def choices(reply: Reply) -> list[str]:
    return [c.label for p in reply.parts if isinstance(p, ChoicesPart) for c in p.choices]


def card(reply: Reply) -> AnswerCard:
    return next(p for p in reply.parts if isinstance(p, AnswerCard))


def count(kb: KnowledgeBase, model: type, **where: object) -> int:
    with make_session_factory(kb.engine)() as session:
        stmt = select(func.count()).select_from(model).filter_by(**where)
        return int(session.scalar(stmt) or 0)


def test_greeting_shows_what_can_be_asked(person: FakeChannel) -> None:
    reply = person.send("你好")

    assert reply.action is Action.MENU
    assert "政策咨询助手" in reply.text
    assert choices(reply) == ["个人办事", "企业办事"]


def test_browse_by_life_event_to_one_record(person: FakeChannel) -> None:
    person.send("菜单")
    events = person.send("2")
    assert "税收税费" in choices(events) and "开办" in choices(events)

    records = person.send(str(choices(events).index("税收税费") + 1))
    assert records.action is Action.MENU and len(records.records) >= 3
    assert all("税收税费" in r.life_events for r in records.records)

    answer = person.send("1")
    assert answer.action is Action.ANSWER
    assert card(answer).title == records.records[0].title


def test_an_answer_card_has_provenance_and_the_disclaimer(person: FakeChannel) -> None:
    reply = person.send("开一家奶茶店需要办哪些证")

    assert reply.action is Action.ANSWER
    answer = card(reply)
    assert answer.record_id == "ent_permits-faq-milk-tea-shop"
    assert any(f.label == "主管部门" for f in answer.facts)
    assert answer.disclaimer == "以上内容仅供参考，以主管部门解释为准。"
    assert {"详细", "怎么办理", "有用", "没用"} <= set(choices(reply))


def test_a_title_with_its_own_mark_is_not_bracketed_twice(person: FakeChannel) -> None:
    reply = person.send("示范区有限责任公司设立登记办事指南")
    detail = person.send("详细")

    assert card(reply).title.startswith("【示范数据】")
    assert reply.text.startswith("【示范数据】") and detail.text.startswith("【示范数据】")
    assert "【【" not in reply.text + detail.text


def test_policy_card_shows_document_number_agency_and_date(person: FakeChannel) -> None:
    reply = person.send("小微企业和个体工商户所得税优惠政策 2023年第12号公告")

    facts = {f.label: f.value for f in card(reply).facts}
    assert "文号" in facts and "发文机关" in facts and "发布日期" in facts


def test_follow_ups_on_the_last_answer(person: FakeChannel) -> None:
    person.send("失业保险金怎么申领")
    detail = person.send("详细")
    how = person.send("怎么办理")
    related = person.send("相关政策")
    original = person.send("原文")

    assert detail.action is Action.ANSWER and len(detail.text) > 50
    assert "办理" in how.text or "咨询" in how.text
    assert related.records
    assert "原文" in original.text


def test_interpretations_on_request(person: FakeChannel) -> None:
    reply = person.send("跨省异地就医直接结算的通知")
    assert reply.action is Action.ANSWER
    readings = person.send("解读")

    assert readings.records or "暂无解读" in readings.text


def test_clarification_by_number_and_by_words(person: FakeChannel) -> None:
    offered = person.send("社保")
    assert offered.action is Action.CLARIFY
    labels = choices(offered)
    assert 3 <= len(labels) <= 5 and labels[-1] == "都不是，转人工"

    picked = person.send("2")
    assert picked.action is Action.ANSWER and card(picked).title == labels[1]

    again = person.send("社保")
    by_words = person.send(labels[0])
    assert again.action is Action.CLARIFY and card(by_words).title == labels[0]


@pytest.mark.parametrize("question", ["公积金提取", "医保报销"])
def test_two_words_that_several_records_answer_alike_are_clarified(
    person: FakeChannel, question: str
) -> None:
    # The best and the runner-up are within a few per cent: answering 公积金提取 with the
    # record on a deceased member's fund, or 医保报销 with childbirth costs, would be a guess.
    reply = person.send(question)

    assert reply.action is Action.CLARIFY and 3 <= len(choices(reply)) <= 5


def test_two_words_with_one_clear_record_are_answered(person: FakeChannel) -> None:
    reply = person.send("生育津贴")

    assert reply.action is Action.ANSWER
    assert card(reply).record_id == "birth-faq-maternity-allowance"


def test_a_local_question_the_base_cannot_answer_goes_to_a_person(person: FakeChannel) -> None:
    # Its only matches share a word or two (规划, 项目) with investment-service records: offering
    # those as choices would be beside the point.
    reply = person.send("想咨询一下我们村的后期规划问题，如果近几年有规划，我家中就不装修了")

    assert reply.action is Action.ESCALATE
    assert not reply.records and "转人工" in reply.text


def test_a_choice_out_of_range_is_explained_and_kept(person: FakeChannel) -> None:
    person.send("社保")
    wrong = person.send("9")
    still = person.send("1")

    assert "请回复 1 到" in wrong.text
    assert still.action is Action.ANSWER


def test_a_new_question_abandons_the_choice(person: FakeChannel) -> None:
    person.send("社保")
    reply = person.send("开一家奶茶店需要办哪些证")

    assert reply.action is Action.ANSWER
    assert card(reply).record_id == "ent_permits-faq-milk-tea-shop"


def test_escalation_when_asked_gives_a_number(person: FakeChannel, kb: KnowledgeBase) -> None:
    person.send("生育津贴怎么算")
    confirm = person.send("转人工")
    assert confirm.action is Action.ESCALATE and choices(confirm)[0] == "确认转人工"

    done = person.send("1")

    assert done.consultation_number.startswith("ZX")
    assert count(kb, ConsultationRow, user_id=person.user, reason="asked") == 1
    status = person.send("我的咨询")
    assert status.action is Action.STATUS and done.consultation_number in status.text
    by_number = person.send(f"查一下 {done.consultation_number} 的进度")
    assert "待受理" in by_number.text


def test_asking_again_for_a_person_does_not_queue_the_same_question_twice(
    person: FakeChannel, kb: KnowledgeBase
) -> None:
    person.send("生育津贴怎么算")
    person.send("转人工")
    first = person.send("1")

    again = person.send("转人工")
    unhelpful = person.send("没用")

    for reply in (again, unhelpful):
        assert reply.consultation_number == first.consultation_number
        assert "无需重复提交" in reply.text and not choices(reply)
    assert count(kb, ConsultationRow, user_id=person.user) == 1

    person.send("失业保险金怎么申领")
    person.send("转人工")
    other = person.send("1")

    assert other.consultation_number not in ("", first.consultation_number)
    assert count(kb, ConsultationRow, user_id=person.user) == 2


def test_a_clarification_that_did_not_help_leads_to_a_person(person: FakeChannel) -> None:
    offered = person.send("社保")
    confirm = person.send(str(len(choices(offered))))  # 都不是，转人工
    done = person.send("确认")

    assert confirm.action is Action.ESCALATE
    assert done.consultation_number


def test_a_question_nothing_answers_offers_a_person(person: FakeChannel) -> None:
    reply = person.send("明天去火星的飞船票怎么买")

    assert reply.action is Action.ESCALATE
    assert "确认转人工" in choices(reply)
    declined = person.send("不用了")
    assert declined.action is Action.MENU and "12345" in declined.text


def test_complaints_are_routed_not_answered(person: FakeChannel, kb: KnowledgeBase) -> None:
    reply = person.send("楼下饭店油烟噪音扰民好几个月了，多次投诉没人管，强烈要求处理！")

    assert reply.action is Action.ROUTE
    assert "12345" in reply.text and not reply.records
    done = person.send("转给工作人员")
    assert count(kb, ConsultationRow, user_id=person.user, reason="route") == 1
    assert done.consultation_number


def test_feedback_is_stored_with_the_question_and_record(
    person: FakeChannel, kb: KnowledgeBase
) -> None:
    person.send("开一家奶茶店需要办哪些证")
    thanks = person.send("有用")

    assert thanks.action is Action.FEEDBACK
    assert count(kb, FeedbackRow, user_id=person.user, useful=True) == 1
    unhappy = person.send("没用")
    assert unhappy.action is Action.ESCALATE  # offered a person


def test_a_replayed_delivery_is_answered_once(person: FakeChannel, kb: KnowledgeBase) -> None:
    first = person.send("转人工", message_id="dup-1")
    person.send("1", message_id="dup-2")
    again = person.send("1", message_id="dup-2")

    assert first.action is Action.ESCALATE
    assert again.extra.get("replayed") == "1"
    assert again.consultation_number == person.replies[1].consultation_number
    assert count(kb, ConsultationRow, user_id=person.user) == 1
    assert count(kb, ProcessedMessageRow, channel="test", message_id="dup-2") == 1


def test_state_lives_in_the_database_and_expires(
    person: FakeChannel, kb: KnowledgeBase, engine: ConversationEngine
) -> None:
    person.send("社保")
    other_worker = FakeChannel(engine, user=person.user, clock=person.clock)
    assert other_worker.send("1").action is Action.ANSWER

    offered = other_worker.send("社保")
    first_choice = choices(offered)[0]
    other_worker.clock += timedelta(hours=2)
    late = other_worker.send("1")  # the choice expired with the state: "1" picks nothing now
    picked = [p for p in late.parts if isinstance(p, AnswerCard)]
    assert not picked or picked[0].title != first_choice


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "\n\t",
        "😀😀😀",
        "x" * 10_000,
        "<script>alert('x')</script>社保怎么转移",
        "？？？",
    ],
)
def test_bad_input_gets_a_sensible_reply(person: FakeChannel, text: str) -> None:
    reply = person.send(text)

    assert reply.action in set(Action)
    assert reply.text
    if not text.strip():
        assert reply.action is Action.MENU and "请输入" in reply.text


def test_unknown_button_payloads_are_explained(person: FakeChannel) -> None:
    for payload in ("zzz:1", "record:no-such-record", "event:ufo", "group:外星人", "follow:dance"):
        reply = person.send(payload=payload)
        assert reply.text and reply.action in (Action.MENU, Action.ESCALATE, Action.ANSWER)
