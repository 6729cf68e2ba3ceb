"""Words of DOMAIN.md §1 and §3 for orders."""
from __future__ import annotations

from enum import StrEnum


class OrderKind(StrEnum):
    CONSULT = "consult"
    HELP = "help"
    COMPLAINT = "complaint"
    SUGGESTION = "suggestion"
    REPORT = "report"
    PRAISE = "praise"

    @property
    def label(self) -> str:
        return KIND_LABELS[self]

    @classmethod
    def from_label(cls, label: str) -> "OrderKind":
        """Accept 咨询 or 咨询类 (and the code name)."""
        text = label.strip().removesuffix("类")
        for kind, name in KIND_LABELS.items():
            if text in (name, kind.value):
                return kind
        raise ValueError(label)


# Table order of the seed's attachment: 咨询 求助 投诉 建议 举报 表扬.
KIND_LABELS = {
    OrderKind.CONSULT: "咨询",
    OrderKind.HELP: "求助",
    OrderKind.COMPLAINT: "投诉",
    OrderKind.SUGGESTION: "建议",
    OrderKind.REPORT: "举报",
    OrderKind.PRAISE: "表扬",
}


class OrderState(StrEnum):
    PENDING = "pending"                      # 待派单
    DISPATCHED = "dispatched"                # 待签收
    IN_PROGRESS = "in_progress"              # 办理中
    RETURN_REQUESTED = "return_requested"    # 退单审核中
    EXTENSION_REQUESTED = "extension_requested"  # 延期审核中 (the order keeps working)
    REPLIED = "replied"                      # 待审核
    CLOSED = "closed"                        # 已办结
    MERGED = "merged"                        # 已并单

    @property
    def label(self) -> str:
        return STATE_LABELS[self]


STATE_LABELS = {
    OrderState.PENDING: "待派单",
    OrderState.DISPATCHED: "待签收",
    OrderState.IN_PROGRESS: "办理中",
    OrderState.RETURN_REQUESTED: "退单审核中",
    OrderState.EXTENSION_REQUESTED: "延期审核中",
    OrderState.REPLIED: "待审核",
    OrderState.CLOSED: "已办结",
    OrderState.MERGED: "已并单",
}


class CallbackResult(StrEnum):
    """回访 levels of GB/T 39734-2020 (DOMAIN.md §3), best first."""

    VERY_SATISFIED = "very_satisfied"
    SATISFIED = "satisfied"
    BASICALLY_SATISFIED = "basically_satisfied"
    UNSATISFIED = "unsatisfied"
    VERY_UNSATISFIED = "very_unsatisfied"

    @property
    def label(self) -> str:
        return CALLBACK_LABELS[self]

    @property
    def may_reopen(self) -> bool:
        """不满意 and 非常不满意 may reopen the order (staff decide)."""
        return self in (CallbackResult.UNSATISFIED, CallbackResult.VERY_UNSATISFIED)


CALLBACK_LABELS = {
    CallbackResult.VERY_SATISFIED: "非常满意",
    CallbackResult.SATISFIED: "满意",
    CallbackResult.BASICALLY_SATISFIED: "基本满意",
    CallbackResult.UNSATISFIED: "不满意",
    CallbackResult.VERY_UNSATISFIED: "非常不满意",
}
DEFAULT_SATISFIED = frozenset({CallbackResult.VERY_SATISFIED, CallbackResult.SATISFIED,
                               CallbackResult.BASICALLY_SATISFIED})


ACTIVE_STATES = frozenset({
    OrderState.DISPATCHED, OrderState.IN_PROGRESS, OrderState.RETURN_REQUESTED, OrderState.EXTENSION_REQUESTED,
})
"""States in which the unit holds the order and its handle deadline runs (即将到期 / 已逾期 apply)."""
# The order states in which its tasks (协办 parts, parts passed down) are given and worked: held by a unit,
# not yet closed.
TASK_ORDER_STATES = ACTIVE_STATES | {OrderState.REPLIED}

FINISHED_STATES = (OrderState.CLOSED, OrderState.MERGED)
# Open = not 已办结 and not 已并单, in declaration order (the lists' partial indexes spell them in this order).
OPEN_STATES = tuple(s for s in OrderState if s not in FINISHED_STATES)


class RequestStatus(StrEnum):
    """Status of a return request, an extension request or a reply under review."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    WITHDRAWN = "withdrawn"

    @property
    def label(self) -> str:
        return {"pending": "待审核", "approved": "已同意", "rejected": "未同意", "withdrawn": "已撤回"}[self.value]


class ReturnStage(StrEnum):
    """Who decides a pending return request next: the unit leader, then the centre."""

    LEADER = "leader"
    CENTRE = "centre"

    @property
    def label(self) -> str:
        return {"leader": "待单位负责人审批", "centre": "待中心审核"}[self.value]


CONTACT_WAYS = ("电话", "短信", "上门走访", "当面答复", "其他")


class TaskRole(StrEnum):
    """A unit's part in an order it does not hold: 主办 or 协办 at its level (DOMAIN.md §1)."""

    LEAD = "lead"
    CO = "co"

    @property
    def label(self) -> str:
        return {TaskRole.LEAD: "主办", TaskRole.CO: "协办"}[self]


class TaskState(StrEnum):
    """Where an order task stands (a 协办 part given by the centre, or a part passed down by a unit)."""

    DISPATCHED = "dispatched"                # 待签收
    IN_PROGRESS = "in_progress"              # 办理中
    ANSWERED = "answered"                    # 已答复 (协办意见 / the sub-unit's reply, waiting or final)
    RELEASE_REQUESTED = "release_requested"  # 申请免办 (a co-unit asks to be released)
    RELEASED = "released"                    # 已免办
    ACCEPTED = "accepted"                    # 已采纳 (the passing unit took the sub-unit's reply)
    WITHDRAWN = "withdrawn"                  # 已收回 (taken back up, or ended by a return / re-dispatch)

    @property
    def label(self) -> str:
        return TASK_STATE_LABELS[self]


TASK_STATE_LABELS = {
    TaskState.DISPATCHED: "待签收",
    TaskState.IN_PROGRESS: "办理中",
    TaskState.ANSWERED: "已答复",
    TaskState.RELEASE_REQUESTED: "申请免办",
    TaskState.RELEASED: "已免办",
    TaskState.ACCEPTED: "已采纳",
    TaskState.WITHDRAWN: "已收回",
}
# A task in one of these states is the unit's current part of the order: one per (order, unit).
CURRENT_TASK_STATES = frozenset({
    TaskState.DISPATCHED, TaskState.IN_PROGRESS, TaskState.ANSWERED, TaskState.RELEASE_REQUESTED,
})
