"""The booking as a calendar file (RFC 5545), in Asia/Ho_Chi_Minh time with a UID that never changes.

A calendar entry travels: it is synced to other devices, shared with family, forwarded. So it never carries the
booking's secret (whoever holds it could change or cancel the visit): its link is the status page without the
secret, which opens on the device that keeps the booking, and its description says how else to find it.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Calendar, Event

from backend.appointments.availability import VN
from backend.appointments.statuses import KIND_VI

UID_DOMAIN = "gandan.dongthap.gov.vn"

# RFC 5545 VEVENT STATUS: a request is only tentative until a dispatcher confirms it with an officer.
_ICS_STATUS = {
    "requested": "TENTATIVE",
    "cancelled": "CANCELLED",
    "missed_by_agency": "CANCELLED",  # the visit did not take place; the agency agrees a new one
}


def ics_status(status: str) -> str:
    return _ICS_STATUS.get(status, "CONFIRMED")


def how_to_open(reference: str) -> str:
    """Where the citizen can see, move or cancel the booking, without the secret link."""
    return (
        "Xem, đổi giờ hoặc huỷ lịch hẹn: trên điện thoại đã dùng để đặt lịch, mở ứng dụng Gần Dân, "
        "mục “Lịch hẹn của tôi” (hoặc mở đường liên kết dưới đây trên máy đó). "
        f"Nếu không dùng được máy đó, ông/bà gọi tổng đài 1022, đọc mã lịch hẹn {reference} "
        "và số điện thoại đã đăng ký."
    )


def booking_calendar(row: dict[str, Any], procedure_name: str, commune_name: str, status_url: str) -> bytes:
    """`status_url`: the absolute address of the status page, without the secret."""
    status = ics_status(row["status"])
    calendar = Calendar()
    calendar.add("prodid", "-//Gần Dân//Lịch hẹn tại nhà//VI")
    calendar.add("version", "2.0")
    calendar.add("method", "PUBLISH")
    event = Event()
    event.add("uid", f"{row['id']}@{UID_DOMAIN}")
    event.add("dtstamp", row["updated_at"].astimezone(dt.UTC))
    event.add("sequence", row["version"])
    event.add("dtstart", row["slot_start"].astimezone(VN))
    event.add("dtend", row["slot_end"].astimezone(VN))
    prefix = {"TENTATIVE": "(Chờ xác nhận) ", "CANCELLED": "(Đã huỷ) "}.get(status, "")
    event.add("summary", f"{prefix}Cán bộ đến nhà: {KIND_VI[row['kind']]} – {procedure_name}")
    event.add("location", f"{row['address_detail']}, {commune_name}")
    waiting = (
        "Lịch hẹn đang chờ xác nhận: ông/bà sẽ được báo khi cán bộ được phân công.\n" if status == "TENTATIVE" else ""
    )
    event.add(
        "description",
        f"Mã lịch hẹn: {row['reference']}\nThủ tục: {procedure_name}\n{waiting}"
        f"{how_to_open(row['reference'])}\n{status_url}",
    )
    event.add("status", status)
    event.add("url", status_url)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
