"""The closed vocabularies of the knowledge base, each with its Chinese label.

Values are stable ASCII codes stored in the database; labels are what staff and citizens read and
what import files usually contain. `parse` accepts either.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Self


class LabelledEnum(StrEnum):
    @property
    def label(self) -> str:
        return _LABELS[self]

    @classmethod
    def parse(cls, text: str) -> Self:
        key = text.strip()
        for member in cls:
            if key in (member.value, _LABELS[member]):
                return member
        allowed = "、".join(_LABELS[m] for m in cls)
        raise ValueError(f"“{key}”不是有效的取值，可选：{allowed}")

    @classmethod
    def labels(cls) -> list[str]:
        return [_LABELS[m] for m in cls]


class Kind(LabelledEnum):
    POLICY = "policy"
    INTERPRETATION = "interpretation"
    FAQ = "faq"
    GUIDE = "guide"
    ARTICLE = "article"


class Status(LabelledEnum):
    IN_FORCE = "in_force"
    AMENDED = "amended"
    REPEALED = "repealed"
    EXPIRED = "expired"

    @property
    def is_current(self) -> bool:
        return self is Status.IN_FORCE


class Audience(LabelledEnum):
    INDIVIDUAL = "individual"
    ENTERPRISE = "enterprise"
    BOTH = "both"


class Publication(LabelledEnum):
    DRAFT = "draft"
    PENDING_REVIEW = "pending_review"
    PUBLISHED = "published"
    OFFLINE = "offline"


class InterpretationForm(LabelledEnum):
    DEPARTMENT = "department"
    OFFICIAL = "official"
    EXPERT = "expert"
    MEDIA = "media"
    GRAPHIC = "graphic"
    VIDEO = "video"


_LABELS: dict[StrEnum, str] = {
    Kind.POLICY: "政策文件",
    Kind.INTERPRETATION: "政策解读",
    Kind.FAQ: "问答",
    Kind.GUIDE: "办事指南",
    Kind.ARTICLE: "法规条文",
    Status.IN_FORCE: "现行有效",
    Status.AMENDED: "已修订",
    Status.REPEALED: "已废止",
    Status.EXPIRED: "已失效",
    Audience.INDIVIDUAL: "个人",
    Audience.ENTERPRISE: "企业",
    Audience.BOTH: "个人和企业",
    Publication.DRAFT: "草稿",
    Publication.PENDING_REVIEW: "待审核",
    Publication.PUBLISHED: "已发布",
    Publication.OFFLINE: "已下线",
    InterpretationForm.DEPARTMENT: "部门解读",
    InterpretationForm.OFFICIAL: "负责人解读",
    InterpretationForm.EXPERT: "专家解读",
    InterpretationForm.MEDIA: "媒体解读",
    InterpretationForm.GRAPHIC: "图解",
    InterpretationForm.VIDEO: "视频",
}
