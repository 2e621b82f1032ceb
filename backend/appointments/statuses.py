"""The appointment's life: statuses in the citizen's words and the transitions the server allows."""

from __future__ import annotations

from typing import Literal

Status = Literal[
    "requested", "confirmed", "on_the_way", "arrived", "done", "citizen_absent", "missed_by_agency", "cancelled"
]
VisitKind = Literal["guide", "receive_dossier", "return_result", "postal_delivery"]
Channel = Literal["app", "phone", "zalo", "facebook", "email", "hotline_1022", "walk_in"]

STATUS_VI: dict[str, str] = {
    "requested": "Mới đăng ký",
    "confirmed": "Đã xác nhận lịch hẹn",
    "on_the_way": "Cán bộ đang đến",
    "arrived": "Cán bộ đã đến",
    "done": "Đã hoàn thành",
    "citizen_absent": "Không gặp được công dân",
    "missed_by_agency": "Cơ quan lỡ hẹn",
    "cancelled": "Đã huỷ",
}
STATUS_EN: dict[str, str] = {
    "requested": "Request received",
    "confirmed": "Appointment confirmed",
    "on_the_way": "Officer on the way",
    "arrived": "Officer has arrived",
    "done": "Completed",
    "citizen_absent": "Citizen not at home",
    "missed_by_agency": "Missed by the agency",
    "cancelled": "Cancelled",
}
KIND_VI: dict[str, str] = {
    "guide": "Hướng dẫn kê khai",
    "receive_dossier": "Tiếp nhận hồ sơ",
    "return_result": "Trả kết quả",
    "postal_delivery": "Trả kết quả qua bưu chính",
}
KIND_EN: dict[str, str] = {
    "guide": "Guidance on the declaration",
    "receive_dossier": "Receiving the dossier",
    "return_result": "Returning the result",
    "postal_delivery": "Result delivered by post",
}

# Where each status may go next. Rescheduling keeps the status (a confirmed visit stays confirmed).
TRANSITIONS: dict[str, frozenset[str]] = {
    "requested": frozenset({"confirmed", "cancelled"}),
    "confirmed": frozenset({"on_the_way", "arrived", "citizen_absent", "missed_by_agency", "cancelled", "requested"}),
    "on_the_way": frozenset({"arrived", "citizen_absent", "missed_by_agency", "cancelled"}),
    "arrived": frozenset({"done", "citizen_absent"}),
    "done": frozenset(),
    "citizen_absent": frozenset(),
    "missed_by_agency": frozenset(),
    "cancelled": frozenset(),
}
ACTIVE = frozenset({"requested", "confirmed", "on_the_way", "arrived"})  # they hold a slot
RESCHEDULABLE = frozenset({"requested", "confirmed"})
# What an officer may set from the field; dispatchers and supervisors may set any allowed transition.
OFFICER_SETS = frozenset({"on_the_way", "arrived", "done", "citizen_absent", "missed_by_agency"})


def can_move(current: str, target: str) -> bool:
    return target in TRANSITIONS.get(current, frozenset())


def transition_refusal(current: str, target: str) -> tuple[str, str]:
    """English and Vietnamese reasons why a transition is refused."""
    return (
        f"Cannot change an appointment from '{current}' to '{target}'",
        f"Không thể chuyển lịch hẹn từ “{STATUS_VI.get(current, current)}” sang “{STATUS_VI.get(target, target)}”.",
    )
