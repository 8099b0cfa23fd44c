"""The message router: policy question, complaint/help, suggestion, and the rules before them.

Every message here is written for these tests, not taken from the labelled data (the last test
checks that). The real data is used only by the evaluation test, which skips without it.
"""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import yaml

from bot.intent import IntentCuesError, IntentRouter, MessageKind, Routing, load_cues
from bot.intent_fit import fit_logistic, fit_stages, stages_yaml, stratified_folds
from bot.routing_eval import MESSAGES_FILE, evaluate, load_messages, score
from config.settings import CONFIG_DIR, PROJECT_ROOT

CUES_FILE = CONFIG_DIR / "intent_cues.yaml"
Q, C, S = MessageKind.POLICY_QUESTION, MessageKind.COMPLAINT_OR_HELP, MessageKind.SUGGESTION

POLICY_QUESTIONS = [
    "生孩子有什么补贴",
    "孩子上小学怎么报名",
    "退休后养老金怎么领",
    "小微企业有哪些税收优惠",
    "创业担保贷款怎么申请",
    "办营业执照需要什么材料",
    "异地就医怎么报销",
    "公积金提取",
    "高校毕业生就业补贴申请条件",
    "二孩家庭有没有育儿补贴",
    "我今年60岁了，什么时候可以领养老金",
    "失业了可以领失业保险金吗",
    "开奶茶店要办哪些证",
    "产假有多少天",
    "我想办理居住证，去哪里办",
    "医保断缴了怎么办",
    "请问公租房申请条件是什么",
    "人工智能企业有什么扶持政策",
]
COMPLAINTS = [
    "我要投诉",
    "隔壁装修噪音扰民",
    "楼上每天半夜装修，吵得睡不着",
    "老板欠薪跑路了",
    "工资被拖欠了怎么办",
    "培训机构不给退费",
    "物业乱收费",
    "工地晚上施工噪音太大",
    "我家楼下饭店油烟太大，晚上还特别吵，找了好几次都没人管，请你们处理一下",
    "公司拖欠我三个月工资，老板不接电话，我该怎么办",
    "物业不作为，电梯坏了一个月也不修，强烈要求相关部门督促",
    "我们小区的路灯坏了两个月了，一直没人修，晚上出门很危险",
    "驾校收了钱不安排练车，要求退款也不给退",
    "窗口工作人员态度很差，让我跑了三趟",
]
SUGGESTIONS = [
    "建议在小区门口增设一个公交站，方便老人出行",
    "希望政府能多建几个停车场",
    "能不能把公园开放时间延长到晚上十点",
    "建议延长图书馆开放时间",
    "呼吁增加社区养老服务点",
    "希望学校周边设置减速带，保障孩子安全",
    "可否在菜市场旁边增设临时停车位",
    "建议对老旧小区加装电梯给予补贴",
]
GREETINGS = [
    "你好",
    "您好！",
    "在吗？",
    "你好，在吗",
    "谢谢",
    "谢谢你😊",
    "好的，谢谢",
    "HELLO",
    "早上好",
]
HUMAN = [
    "转人工",
    "人工",
    "找客服",
    "人工服务",
    "真人",
    "我要人工",
    "您好，请帮我转人工",
    "人工客服",
]
EMPTY = ["", "   ", "\n\t ", "😀👍", "🙏🙏", "？！。", "****", "<script>alert(1)</script>"]


@pytest.fixture(scope="module")
def router() -> IntentRouter:
    return IntentRouter(load_cues(CUES_FILE))


@pytest.mark.parametrize("text", POLICY_QUESTIONS)
def test_policy_questions_go_to_search(router: IntentRouter, text: str) -> None:
    assert router.route(text).kind is Q


@pytest.mark.parametrize("text", COMPLAINTS)
def test_complaints_and_requests_for_help_go_to_a_person(router: IntentRouter, text: str) -> None:
    assert router.route(text).kind is C


@pytest.mark.parametrize("text", SUGGESTIONS)
def test_suggestions_are_recognised(router: IntentRouter, text: str) -> None:
    assert router.route(text).kind is S


@pytest.mark.parametrize("text", GREETINGS)
def test_greetings_and_thanks_are_a_rule(router: IntentRouter, text: str) -> None:
    routing = router.route(text)
    assert (routing.kind, routing.confidence) == (MessageKind.GREETING, 1.0)


@pytest.mark.parametrize("text", HUMAN)
def test_asking_for_a_person_is_a_rule(router: IntentRouter, text: str) -> None:
    routing = router.route(text)
    assert (routing.kind, routing.confidence) == (MessageKind.HUMAN, 1.0)
    assert routing.cues


@pytest.mark.parametrize("text", EMPTY)
def test_nothing_to_read_is_empty(router: IntentRouter, text: str) -> None:
    assert router.route(text).kind is MessageKind.EMPTY


def test_a_long_message_mentioning_a_person_is_not_the_human_rule(router: IntentRouter) -> None:
    text = "我到社保大厅办理退休手续，人工窗口排了三个小时的队，工作人员态度很差还让我明天再来"
    assert router.route(text).kind is C


def test_the_reason_is_chinese_and_points_to_12345(router: IntentRouter) -> None:
    routing = router.route("楼下烧烤店营业到凌晨三点，太吵了")
    assert routing.kind is C
    assert "12345" in routing.reason and "投诉" in routing.reason
    assert "建议" in router.route("建议公交车增加夜班线路").reason
    assert all(router.cues.reasons[kind] for kind in MessageKind)


def test_the_deciding_cues_are_reported_strongest_first(router: IntentRouter) -> None:
    routing = router.route("小区物业不作为，我要投诉")
    assert routing.kind is C
    assert {"投诉", "不作为"} <= set(routing.cues)
    assert "请问" in router.route("请问灵活就业人员社保怎么交").cues


def test_routing_is_frozen_and_confidence_a_probability(router: IntentRouter) -> None:
    routing = router.route("失业金怎么领")
    assert isinstance(routing, Routing)
    assert 0.5 <= routing.confidence <= 1.0
    with pytest.raises(dataclasses.FrozenInstanceError):
        routing.kind = C  # type: ignore[misc]


def test_traditional_and_full_width_text(router: IntentRouter) -> None:
    assert router.route("請問生育津貼怎麼申請？").kind is Q
    assert router.route("樓上裝修噪音擾民，物業不管，我要投訴").kind is C
    assert router.route("ＨＥＬＬＯ，在嗎").kind is MessageKind.GREETING


def test_masked_names_do_not_break_the_cues(router: IntentRouter) -> None:
    routing = router.route("我是***，住在****小区，楼上噪****音扰民，请****处理")
    assert routing.kind is C
    assert "扰民" in routing.cues


def test_html_is_read_as_text_and_never_echoed(router: IntentRouter) -> None:
    routing = router.route(
        "<p>请问<b>生育津贴</b>怎么领&amp;能领多少</p><script>alert('投诉')</script>"
    )
    assert routing.kind is Q
    assert not any("<" in cue or "alert" in cue for cue in routing.cues)
    assert "<" not in routing.reason
    assert router.route("收入<5000元的家庭有什么补贴").kind is Q  # a "<" that is not a tag


def test_ten_thousand_characters_take_bounded_work(router: IntentRouter) -> None:
    for text in ("投诉" * 5_000, "a" * 10_000, "请问" + "生育津贴怎么领，" * 1_250):
        start = time.perf_counter()
        routing = router.route(text)
        assert time.perf_counter() - start < 0.1
        assert routing.kind in (Q, C, S)


def test_control_characters_and_none_like_input(router: IntentRouter) -> None:
    assert router.route("\x00\x01\u200b").kind is MessageKind.EMPTY
    assert router.route(None).kind is MessageKind.EMPTY  # type: ignore[arg-type]


# --- the cue file ---------------------------------------------------------------------------


def _raw() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(CUES_FILE.read_text(encoding="utf-8"))
    return data


def _write(tmp_path: Path, data: object) -> Path:
    path = tmp_path / "cues.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def test_the_shipped_file_has_a_fitted_weight_for_every_feature() -> None:
    cues = load_cues(CUES_FILE)
    for stage in (cues.not_question, cues.complaint_vs_suggestion):
        assert set(stage.weights) == set(cues.feature_names)
    assert len(cues.feature_names) * 2 + 2 <= 100  # "dozens of numbers", not a model


def _broken(data: dict[str, Any], change: str) -> dict[str, Any]:
    if change == "unknown weight":
        data["model"]["not_question"]["weights"]["no_such_group"] = 1.0
    elif change == "bad regex":
        data["cue_groups"][0]["patterns"] = ["(unclosed"]
    elif change == "missing reason":
        del data["reasons"]["complaint_or_help"]
    elif change == "duplicate group":
        data["cue_groups"].append(dict(data["cue_groups"][0]))
    elif change == "threshold":
        data["model"]["threshold"] = 1.5
    elif change == "weight not a number":
        data["model"]["complaint_vs_suggestion"]["bias"] = "high"
    elif change == "empty cue":
        data["cue_groups"][0]["cues"] = ["请问", ""]
    elif change == "asks not a flag":
        data["cue_groups"][0]["asks"] = "yes"
    elif change == "group without cues":
        data["cue_groups"][0] = {"name": "lonely", "label": "空组"}
    return data


@pytest.mark.parametrize(
    ("change", "says"),
    [
        ("unknown weight", "no_such_group"),
        ("bad regex", "正则表达式有误"),
        ("missing reason", "complaint_or_help"),
        ("duplicate group", "重复"),
        ("threshold", "0 与 1 之间"),
        ("weight not a number", "应为数字"),
        ("empty cue", "第2项"),
        ("asks not a flag", "true 或 false"),
        ("group without cues", "至少要有一个"),
    ],
)
def test_a_malformed_cue_file_is_refused_with_the_place(
    tmp_path: Path, change: str, says: str
) -> None:
    path = _write(tmp_path, _broken(_raw(), change))
    with pytest.raises(IntentCuesError, match=says) as error:
        load_cues(path)
    assert str(path) in str(error.value)


def test_unreadable_cue_files(tmp_path: Path) -> None:
    with pytest.raises(IntentCuesError, match="无法读取"):
        load_cues(tmp_path / "missing.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("cue_groups: [unclosed", encoding="utf-8")
    with pytest.raises(IntentCuesError, match="无法读取"):
        load_cues(bad)
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(IntentCuesError, match="映射"):
        load_cues(bad)


def test_cues_written_in_traditional_or_full_width_still_match(tmp_path: Path) -> None:
    data = _raw()
    data["cue_groups"].append({"name": "extra", "label": "测试", "cues": ["投訴熱線", "ＡＢＣ"]})
    router = IntentRouter(load_cues(_write(tmp_path, data)))
    found = router.features(router.clean("投诉热线abc是多少")).found
    assert found["extra"] == ("投诉热线", "abc")


# --- fitting and scoring --------------------------------------------------------------------


def test_logistic_fit_finds_the_direction_of_each_feature() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 2))
    y = (2.0 * x[:, 0] - 1.0 * x[:, 1] + rng.normal(scale=0.5, size=400)) > 0
    bias, weights = fit_logistic(x, y, l2=0.1)
    assert weights[0] > 1.0 and weights[1] < -0.5 and abs(bias) < 0.5


def test_folds_partition_the_messages_and_keep_the_mix() -> None:
    kinds = [Q] * 30 + [C] * 20 + [S] * 10
    folds = stratified_folds(kinds, 5, seed=0)
    assert sorted(int(i) for fold in folds for i in fold) == list(range(60))
    assert all(sum(kinds[int(i)] is Q for i in fold) == 6 for fold in folds)


def test_fitted_weights_paste_back_into_the_cue_file(tmp_path: Path) -> None:
    cues = load_cues(CUES_FILE)
    router = IntentRouter(cues)
    texts = POLICY_QUESTIONS + COMPLAINTS + SUGGESTIONS
    kinds = [Q] * len(POLICY_QUESTIONS) + [C] * len(COMPLAINTS) + [S] * len(SUGGESTIONS)
    x = np.array([router.features(router.clean(t)).vector(cues.feature_names) for t in texts])
    stages = fit_stages(x, kinds, cues.feature_names)
    text = CUES_FILE.read_text(encoding="utf-8")
    pasted = text[: text.index("\nmodel:\n") + 1] + stages_yaml(*stages, 0.5)
    path = tmp_path / "cues.yaml"
    path.write_text(pasted, encoding="utf-8")
    assert load_cues(path).not_question == stages[0]


def test_scores_of_policy_question_against_the_rest() -> None:
    truth = [Q, Q, Q, C, S, S]
    routed = [Q, Q, C, C, Q, MessageKind.HUMAN]
    scores = score(truth, routed)
    assert scores.accuracy == pytest.approx(4 / 6)
    assert scores.question_precision == pytest.approx(2 / 3)
    assert scores.question_recall == pytest.approx(2 / 3)
    assert scores.other_precision == pytest.approx(2 / 3)
    assert scores.other_recall == pytest.approx(2 / 3)
    assert scores.kind_accuracy == pytest.approx(3 / 6)
    assert scores.confusion[S] == {Q: 1, MessageKind.HUMAN: 1}


# --- the real labelled messages ---------------------------------------------------------------


def test_routing_on_the_labelled_citizen_messages(shared_data: Path) -> None:
    report = evaluate(load_cues(CUES_FILE), shared_data, folds=5)
    cv = report.cross_validation.pooled
    # Cross-validated on 11,529 messages: about 0.888 (policy question P 0.84 / R 0.80,
    # the rest P 0.91 / R 0.93). 0.80 is the floor; the target is 0.85.
    assert cv.messages > 11_000
    assert cv.accuracy >= 0.80, report.cross_validation
    assert min(report.cross_validation.fold_accuracy) >= 0.80
    assert report.timing.p50_us < 2_000


def test_our_test_messages_are_not_taken_from_the_data(shared_data: Path) -> None:
    texts = "\n".join(m.text for m in load_messages(shared_data / MESSAGES_FILE))
    ours = POLICY_QUESTIONS + COMPLAINTS + SUGGESTIONS
    assert not [m for m in ours if len(m) >= 12 and m in texts]


def _route_eval(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(PROJECT_ROOT / "manage.py"), "route-eval", *args],
        capture_output=True,
        text=True,
        cwd=PROJECT_ROOT,
        timeout=300,
    )


def test_route_eval_skips_without_the_shared_data(tmp_path: Path) -> None:
    result = _route_eval("--data", str(tmp_path))
    assert result.returncode == 0 and "跳过留言分流评测" in result.stdout
    result = _route_eval("--data", str(tmp_path), "--json")
    assert result.returncode == 0 and json.loads(result.stdout)["skipped"] is True
