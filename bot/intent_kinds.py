"""The kinds of message the router tells apart (kept apart so the cue loader can name them)."""

from __future__ import annotations

from enum import StrEnum


class MessageKind(StrEnum):
    POLICY_QUESTION = "policy_question"  # 咨询：交给检索作答
    COMPLAINT_OR_HELP = "complaint_or_help"  # 投诉/求助：转工作人员或 12345
    SUGGESTION = "suggestion"  # 建言：登记后转相关部门
    GREETING = "greeting"  # 问候与闲聊：你好、谢谢、在吗
    HUMAN = "human"  # 要求人工：转人工、找客服
    EMPTY = "empty"  # 没有文字内容：空白、只有表情或标点
