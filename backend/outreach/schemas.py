"""Wire schemas of outreach records, as carried in sync mutations. Limits count Unicode characters
after NFC normalisation, so Vietnamese text typed with any keyboard gets the same room.

They derive from `Input` (backend/core/text.py): text is stripped (one-line fields with single spaces) and its
limits checked after that; control characters are refused, so such a mutation is rejected, never stored."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, ClassVar, Literal

import msgspec

from backend.core.clock import VN
from backend.core.text import Input, TextKind
from backend.db.columns import utcnow

SessionKind = Literal["village_outreach", "radio_dialogue", "business_coffee"]
Channel = Literal["in_person", "phone", "hotline_1022", "zalo", "facebook", "email", "web", "radio"]
Category = Literal[
    "administrative_procedure",
    "land",
    "social_welfare",
    "infrastructure",
    "environment",
    "health",
    "education",
    "business",
    "security",
    "other",
]
QuestionStatus = Literal["open", "forwarded", "answered"]

CommuneCode = Annotated[str, msgspec.Meta(pattern=r"^\d{5}$")]
Title = Annotated[str, msgspec.Meta(min_length=1, max_length=200)]
Place = Annotated[str, msgspec.Meta(max_length=200)]
Notes = Annotated[str, msgspec.Meta(max_length=10_000)]
Attendance = Annotated[int, msgspec.Meta(ge=0, le=100_000)]
Name = Annotated[str, msgspec.Meta(max_length=120)]
Text = Annotated[str, msgspec.Meta(min_length=1, max_length=4_000)]
Answer = Annotated[str, msgspec.Meta(max_length=8_000)]
Sha256 = Annotated[str, msgspec.Meta(pattern=r"^[0-9a-f]{64}$")]

EARLIEST = dt.date(2020, 1, 1)


def _check_date(held_on: dt.date | msgspec.UnsetType) -> None:
    today = utcnow().astimezone(VN).date()  # the server's clock, in Việt Nam
    if isinstance(held_on, dt.date) and not EARLIEST <= held_on <= today + dt.timedelta(days=366):
        raise ValueError("held_on must be between 2020-01-01 and one year from today")


class SessionCreate(Input, kw_only=True):
    text_kinds: ClassVar[dict[str, TextKind]] = {"notes": "block"}

    commune_id: CommuneCode
    kind: SessionKind
    title: Title
    place: Place = ""
    held_on: dt.date
    attendance: Attendance = 0
    notes: Notes = ""

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_date(self.held_on)


class SessionUpdate(Input, kw_only=True):
    text_kinds: ClassVar[dict[str, TextKind]] = {"notes": "block"}

    kind: SessionKind | msgspec.UnsetType = msgspec.UNSET
    title: Title | msgspec.UnsetType = msgspec.UNSET
    place: Place | msgspec.UnsetType = msgspec.UNSET
    held_on: dt.date | msgspec.UnsetType = msgspec.UNSET
    attendance: Attendance | msgspec.UnsetType = msgspec.UNSET
    notes: Notes | msgspec.UnsetType = msgspec.UNSET

    def __post_init__(self) -> None:
        super().__post_init__()
        _check_date(self.held_on)


class QuestionCreate(Input, kw_only=True):
    text_kinds: ClassVar[dict[str, TextKind]] = {"text": "block", "answer": "block"}

    session_id: uuid.UUID
    commune_id: CommuneCode
    asker_name: Name = ""
    text: Text
    category: Category = "other"
    channel: Channel = "in_person"
    status: QuestionStatus = "open"
    answer: Answer = ""
    photo_sha256: Sha256 | None = None


class QuestionUpdate(Input, kw_only=True):
    text_kinds: ClassVar[dict[str, TextKind]] = {"text": "block", "answer": "block"}

    asker_name: Name | msgspec.UnsetType = msgspec.UNSET
    text: Text | msgspec.UnsetType = msgspec.UNSET
    category: Category | msgspec.UnsetType = msgspec.UNSET
    channel: Channel | msgspec.UnsetType = msgspec.UNSET
    status: QuestionStatus | msgspec.UnsetType = msgspec.UNSET
    answer: Answer | msgspec.UnsetType = msgspec.UNSET
    photo_sha256: Sha256 | msgspec.UnsetType | None = msgspec.UNSET


def question_check(row: Any) -> str | None:
    """An answered question carries its answer."""
    if row.get("status") == "answered" and not row.get("answer"):
        return "an answered question needs an answer"
    return None


def session_v1_to_v2(name: str, changed: dict[str, Any]) -> dict[str, Any]:
    """Schema 1 (app 0.1) called the title `topic` and the attendance `attendees`."""
    out = dict(changed)
    if "topic" in out:
        out["title"] = out.pop("topic")
    if "attendees" in out:
        out["attendance"] = out.pop("attendees")
    return out
