"""The catalogue of citizen notifications, in Vietnamese (with diacritics) and English.

Times are stored in UTC and shown in Asia/Ho_Chi_Minh. Nothing personal goes in a payload: no citizen
name, phone or address, and no officer name (also personal data) — only "cán bộ", ids and codes.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import msgspec

from backend.push.schemas import Lang, PushPayload, Urgency

try:
    LOCAL_TZ: dt.tzinfo = ZoneInfo("Asia/Ho_Chi_Minh")
except ZoneInfoNotFoundError:  # no tz database on the host: Việt Nam has had no daylight saving since 1975
    LOCAL_TZ = dt.timezone(dt.timedelta(hours=7), "ICT")

Event = Literal[
    "requested",
    "confirmed",
    "reminder_24h",
    "reminder_1h",
    "rescheduled",
    "cancelled",
    "officer_on_way",
    "dossier_received",
    "result_ready",
]
EVENTS: tuple[Event, ...] = get_args(Event)


class AppointmentRef(msgspec.Struct, kw_only=True):
    """What a message may say about an appointment: ids, codes and the visit time, nothing personal."""

    id: uuid.UUID
    reference: str  # the booking code shown to the citizen, e.g. "K7M3-9PQ2"
    slot_start: dt.datetime | None = None  # UTC
    dossier_code: str | None = None
    url: str = "/"  # where a tap on the notification leads in the citizen app


@dataclass(frozen=True)
class Delivery:
    """How the push service should treat a message: Urgency header, TTL, and our own deadline."""

    urgency: Urgency
    ttl_s: int
    deadline: dt.datetime


_VI_WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")
_EN_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_time(at: dt.datetime | None, lang: Lang) -> str:
    """08:30 Thứ Ba, 01/12/2026 — or 08:30 Tue 1 Dec 2026 — in Việt Nam's time."""
    if at is None:
        return "—"
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    local = at.astimezone(LOCAL_TZ)
    if lang == "en":
        return f"{local:%H:%M} {_EN_WEEKDAYS[local.weekday()]} {local.day} {_EN_MONTHS[local.month - 1]} {local.year}"
    return f"{local:%H:%M} {_VI_WEEKDAYS[local.weekday()]}, {local:%d/%m/%Y}"


# event → (Vietnamese title, body), (English title, body). Fields: {time}, {ref}, {dossier}.
_TEXTS: dict[Event, tuple[tuple[str, str], tuple[str, str]]] = {
    "requested": (
        ("Đã nhận yêu cầu hẹn", "Yêu cầu {ref} đã được tiếp nhận. Chúng tôi sẽ báo khi lịch hẹn được xác nhận."),
        ("Request received", "Your request {ref} was received. We will tell you when it is confirmed."),
    ),
    "confirmed": (
        ("Lịch hẹn đã được xác nhận", "Cán bộ sẽ đến lúc {time} (mã hẹn {ref})."),
        ("Appointment confirmed", "An officer will come at {time} (booking {ref})."),
    ),
    "reminder_24h": (
        ("Nhắc lịch hẹn ngày mai", "Cán bộ sẽ đến lúc {time}. Vui lòng chuẩn bị sẵn giấy tờ (mã hẹn {ref})."),
        ("Reminder: appointment tomorrow", "An officer will come at {time}. Please have your papers ready ({ref})."),
    ),
    "reminder_1h": (
        ("Còn khoảng 1 giờ nữa", "Cán bộ sẽ đến lúc {time} (mã hẹn {ref})."),
        ("In about one hour", "An officer will come at {time} (booking {ref})."),
    ),
    "rescheduled": (
        ("Lịch hẹn đã được đổi", "Thời gian mới: {time} (mã hẹn {ref})."),
        ("Appointment rescheduled", "New time: {time} (booking {ref})."),
    ),
    "cancelled": (
        ("Lịch hẹn đã bị hủy", "Lịch hẹn {ref} đã được hủy. Ông/bà có thể đặt lịch mới trên ứng dụng."),
        ("Appointment cancelled", "Booking {ref} was cancelled. You can book again in the app."),
    ),
    "officer_on_way": (
        ("Cán bộ đang trên đường đến", "Cán bộ đang đến cho lịch hẹn {ref}."),
        ("The officer is on the way", "The officer is on the way for booking {ref}."),
    ),
    "dossier_received": (
        ("Đã tiếp nhận hồ sơ", "Hồ sơ {dossier} đã được tiếp nhận. Dùng mã này để tra cứu kết quả."),
        ("Dossier received", "Dossier {dossier} was received. Use this code to follow it."),
    ),
    "result_ready": (
        ("Đã có kết quả", "Kết quả của hồ sơ {dossier} đã sẵn sàng."),
        ("Result ready", "The result of dossier {dossier} is ready."),
    ),
}

_HOUR = 3600
_DAY = 24 * _HOUR
MAX_TTL_S = 28 * _DAY  # the longest TTL push services keep (FCM: 4 weeks)


def topic_for(appointment_id: uuid.UUID) -> str:
    """Stable per appointment (32 hex chars): the push service keeps only the newest undelivered one."""
    return appointment_id.hex


def message_for(event: Event, ref: AppointmentRef, lang: Lang = "vi") -> PushPayload:
    """The notification for one event about one appointment, in the subscriber's language."""
    vi, en = _TEXTS[event]
    title, body = en if lang == "en" else vi
    fields = {"time": format_time(ref.slot_start, lang), "ref": ref.reference, "dossier": ref.dossier_code or ""}
    return PushPayload(
        event=event,
        title=title,
        body=body.format(**fields),
        url=ref.url,
        tag=f"appt-{ref.id.hex}",
        appointment_id=str(ref.id),
        reference=ref.reference,
        dossier_code=ref.dossier_code if event in ("dossier_received", "result_ready") else None,
        lang=lang,
    )


def delivery_for(event: Event, ref: AppointmentRef, now: dt.datetime) -> Delivery:
    """Urgency and lifetime per event: a reminder is worthless after the visit, a result stays a week."""
    until_visit = int((ref.slot_start - now).total_seconds()) if ref.slot_start else _DAY
    match event:
        case "reminder_1h" | "officer_on_way":
            urgency: Urgency = "high"
            ttl = max(60, min(until_visit, 2 * _HOUR))
        case "reminder_24h":
            urgency, ttl = "normal", max(60, min(until_visit, _DAY))
        case "rescheduled" | "cancelled":
            urgency, ttl = "high", max(_HOUR, min(until_visit, MAX_TTL_S))
        case "confirmed":
            urgency, ttl = "normal", max(_HOUR, min(until_visit, MAX_TTL_S))
        case "requested":
            urgency, ttl = "normal", _DAY
        case "dossier_received" | "result_ready":
            urgency, ttl = "normal", 7 * _DAY
    return Delivery(urgency=urgency, ttl_s=ttl, deadline=now + dt.timedelta(seconds=ttl))
