"""The booking as a calendar file (RFC 5545), in Asia/Ho_Chi_Minh time with a UID that never changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from icalendar import Calendar, Event

from backend.appointments.availability import VN
from backend.appointments.statuses import KIND_VI

UID_DOMAIN = "gandan.dongthap.gov.vn"


def booking_calendar(row: dict[str, Any], procedure_name: str, commune_name: str, link: str) -> bytes:
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
    event.add("summary", f"Cán bộ đến nhà: {KIND_VI[row['kind']]} – {procedure_name}")
    event.add("location", f"{row['address_detail']}, {commune_name}")
    event.add(
        "description",
        f"Mã lịch hẹn: {row['reference']}\nThủ tục: {procedure_name}\nTra cứu, đổi lịch hoặc huỷ: {link}",
    )
    event.add("status", "CANCELLED" if row["status"] == "cancelled" else "CONFIRMED")
    event.add("url", link)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    ical: bytes = calendar.to_ical()
    return ical
