"""Chinese labels for the codes a consultation stores (channels, audiences, reasons, deliveries)."""

from __future__ import annotations

CHANNELS = {"web": "网页咨询", "wechat": "微信公众号", "telegram": "Telegram", "cli": "命令行"}
AUDIENCES = {"individual": "个人", "enterprise": "企业", "both": "个人和企业"}
REASONS = {
    "escalate": "机器人未找到答案",
    "asked": "群众要求人工服务",
    "clarify_failed": "澄清后仍未找到",
    "unhelpful": "群众认为答案没有帮助",
    "route": "投诉、求助或建议",
}
SATISFACTION = {"good": "满意", "bad": "不满意"}
DELIVERIES = {"pending": "待发送", "sent": "已送达", "failed": "发送失败"}
SPEAKERS = {"user": "群众", "bot": "助手", "staff": "工作人员"}


def label(table: dict[str, str], code: str, empty: str = "—") -> str:
    """The label of a code; an unknown code is shown as it is rather than hidden."""
    if not code:
        return empty
    return table.get(code, code)


LABELS = {
    "channel": CHANNELS,
    "audience": AUDIENCES,
    "reason": REASONS,
    "satisfaction": SATISFACTION,
    "delivery": DELIVERIES,
    "speaker": SPEAKERS,
}
