"""Which home-visit slots are free: commune hours, holidays, officers out at once, a daily cap, travel buffers.

Times are shown and configured in Asia/Ho_Chi_Minh and stored in UTC. A slot is free when fewer visits than the
commune's parallel capacity overlap it (each visit holds its length plus the travel buffer) and the day's cap is
not reached. The check runs again inside the booking's write transaction, so two people can never both get
the last slot.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any
from zoneinfo import ZoneInfo

from backend.accounts.tables import StaffUser
from backend.appointments.statuses import ACTIVE
from backend.appointments.tables import Appointment, CommuneService, Holiday

VN = ZoneInfo("Asia/Ho_Chi_Minh")
GRID_MINUTES = 30
WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DEFAULT_HOURS: dict[str, list[list[str]]] = {
    **{day: [["07:30", "11:30"], ["13:30", "17:00"]] for day in WEEKDAYS[:5]},
    "sat": [],
    "sun": [],
}
DEFAULT_SLOT_MINUTES = {"guide": 45, "receive_dossier": 45, "return_result": 30, "postal_delivery": 30}


@dataclass(frozen=True)
class ServiceConfig:
    commune_id: str
    hours: dict[str, list[list[str]]] = field(default_factory=lambda: DEFAULT_HOURS)
    parallel_visits: int = 1
    daily_capacity: int = 16
    slot_minutes: dict[str, int] = field(default_factory=lambda: DEFAULT_SLOT_MINUTES)
    buffer_minutes: int = 15
    min_notice_minutes: int = 120
    horizon_days: int = 30

    def length(self, kind: str) -> dt.timedelta:
        return dt.timedelta(minutes=self.slot_minutes.get(kind, DEFAULT_SLOT_MINUTES.get(kind, 45)))

    @property
    def buffer(self) -> dt.timedelta:
        return dt.timedelta(minutes=self.buffer_minutes)


async def service_config(commune_id: str) -> ServiceConfig:
    row: dict[str, Any] | None = (
        await CommuneService.select().where(CommuneService.commune_id == commune_id).first().output(load_json=True)
    )
    officers = (
        await StaffUser.select(StaffUser.communes)
        .where((StaffUser.role == "officer") & StaffUser.disabled_at.is_null())
        .output(load_json=True)
    )
    assigned = sum(commune_id in (o["communes"] or []) for o in officers)
    if row is None:
        return ServiceConfig(commune_id=commune_id, parallel_visits=max(assigned, 1))
    return ServiceConfig(
        commune_id=commune_id,
        hours={**DEFAULT_HOURS, **(row["hours"] or {})},
        parallel_visits=row["parallel_visits"] or max(assigned, 1),
        daily_capacity=row["daily_capacity"],
        slot_minutes={**DEFAULT_SLOT_MINUTES, **(row["slot_minutes"] or {})},
        buffer_minutes=row["buffer_minutes"],
        min_notice_minutes=row["min_notice_minutes"],
        horizon_days=row["horizon_days"],
    )


def _clock(value: str) -> dt.time:
    hours, minutes = value.split(":")
    return dt.time(int(hours), int(minutes))


def candidate_starts(config: ServiceConfig, kind: str, day: dt.date) -> list[dt.datetime]:
    """Every grid start on a local day at which a visit of this kind fits inside working hours (UTC)."""
    starts: list[dt.datetime] = []
    length = config.length(kind)
    for opens, closes in config.hours.get(WEEKDAYS[day.weekday()], []):
        start = dt.datetime.combine(day, _clock(opens), VN)
        end = dt.datetime.combine(day, _clock(closes), VN)
        while start + length <= end:
            starts.append(start.astimezone(dt.UTC))
            start += dt.timedelta(minutes=GRID_MINUTES)
    return starts


@dataclass
class DayLoad:
    """The visits already holding time in a commune, read once for a range of days."""

    intervals: list[tuple[dt.datetime, dt.datetime]]
    per_day: dict[dt.date, int]


async def load_visits(
    commune_id: str, start: dt.datetime, end: dt.datetime, buffer: dt.timedelta, exclude: Any = None
) -> DayLoad:
    query = Appointment.select(Appointment.id, Appointment.slot_start, Appointment.slot_end).where(
        (Appointment.commune_id == commune_id)
        & Appointment.status.is_in(list(ACTIVE))
        & (Appointment.slot_start < end + dt.timedelta(days=1))
        & (Appointment.slot_end > start - dt.timedelta(days=1))
    )
    rows = [r for r in await query if r["id"] != exclude]
    per_day: dict[dt.date, int] = {}
    for r in rows:
        day = r["slot_start"].astimezone(VN).date()
        per_day[day] = per_day.get(day, 0) + 1
    return DayLoad([(r["slot_start"], r["slot_end"] + buffer) for r in rows], per_day)


def is_free(config: ServiceConfig, kind: str, start: dt.datetime, load: DayLoad) -> bool:
    end = start + config.length(kind) + config.buffer
    if load.per_day.get(start.astimezone(VN).date(), 0) >= config.daily_capacity:
        return False
    overlapping = sum(1 for s, e in load.intervals if s < end and start < e)
    return overlapping < config.parallel_visits


async def holidays_between(first: dt.date, last: dt.date) -> dict[dt.date, str]:
    rows = await Holiday.select().where((Holiday.day >= first) & (Holiday.day <= last))
    return {r["day"]: r["name"] for r in rows}


def earliest_start(config: ServiceConfig, now: dt.datetime) -> dt.datetime:
    return now + dt.timedelta(minutes=config.min_notice_minutes)


async def free_slots(
    config: ServiceConfig, kind: str, first_day: dt.date, days: int, now: dt.datetime, exclude: Any = None
) -> list[tuple[dt.date, list[dt.datetime], str | None]]:
    """For each local day: the free starts (UTC) and, on a holiday, its name."""
    last_day = min(
        first_day + dt.timedelta(days=days - 1), now.astimezone(VN).date() + dt.timedelta(days=config.horizon_days)
    )
    if last_day < first_day:
        return []
    range_start = dt.datetime.combine(first_day, dt.time(0), VN)
    range_end = dt.datetime.combine(last_day, dt.time(23, 59), VN)
    load = await load_visits(config.commune_id, range_start, range_end, config.buffer, exclude)
    holidays = await holidays_between(first_day, last_day)
    not_before = earliest_start(config, now)
    result: list[tuple[dt.date, list[dt.datetime], str | None]] = []
    day = first_day
    while day <= last_day:
        if day in holidays:
            result.append((day, [], holidays[day]))
        else:
            starts = [
                s for s in candidate_starts(config, kind, day) if s >= not_before and is_free(config, kind, s, load)
            ]
            result.append((day, starts, None))
        day += dt.timedelta(days=1)
    return result


async def nearest_free(
    config: ServiceConfig, kind: str, around: dt.datetime, now: dt.datetime, count: int = 3, exclude: Any = None
) -> list[dt.datetime]:
    """The free slots closest in time to the one asked for, to offer when it was taken."""
    first = max(around.astimezone(VN).date() - dt.timedelta(days=1), now.astimezone(VN).date())
    days = await free_slots(config, kind, first, 8, now, exclude)
    starts = [s for _, day_starts, _ in days for s in day_starts]
    starts.sort(key=lambda s: (abs((s - around).total_seconds()), s))
    return sorted(starts[:count])


def slot_problem(config: ServiceConfig, kind: str, start: dt.datetime, now: dt.datetime) -> tuple[str, str] | None:
    """Why a start time can never be booked (outside hours, too soon, too far), in English and Vietnamese."""
    if start < earliest_start(config, now):
        hours = config.min_notice_minutes / 60
        return (
            f"Appointments must be booked at least {hours:g} hours ahead",
            f"Vui lòng đặt lịch trước ít nhất {hours:g} giờ.",
        )
    local_day = start.astimezone(VN).date()
    if local_day > now.astimezone(VN).date() + dt.timedelta(days=config.horizon_days):
        return (
            f"Appointments can be booked at most {config.horizon_days} days ahead",
            f"Chỉ đặt được lịch trong vòng {config.horizon_days} ngày tới.",
        )
    if start not in candidate_starts(config, kind, local_day):
        return ("That time is outside the commune's visiting hours", "Thời gian này ngoài giờ làm việc của xã/phường.")
    return None
