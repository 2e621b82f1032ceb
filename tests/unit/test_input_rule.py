"""The one rule for text inputs (backend/core/text.py), as every way in meets it: msgspec decoding and convert."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, ClassVar

import msgspec
import pytest

from backend.accounts.schemas import LoginRequest
from backend.core.errors import InvalidInput
from backend.core.text import Input, TextKind, preclean
from backend.outreach.schemas import QuestionCreate, SessionCreate, SessionUpdate


class Sample(Input, kw_only=True):
    text_kinds: ClassVar[dict[str, TextKind]] = {"story": "block", "secret": "raw"}

    name: Annotated[str, msgspec.Meta(min_length=2, max_length=12)]
    story: Annotated[str, msgspec.Meta(max_length=20)] = ""
    secret: str = ""
    nickname: Annotated[str, msgspec.Meta(max_length=5)] | None = None


def _cause(exc: msgspec.ValidationError) -> InvalidInput:
    assert isinstance(exc.__cause__, InvalidInput), repr(exc.__cause__)
    return exc.__cause__


def test_text_is_cleaned_by_kind() -> None:
    sample = msgspec.convert(
        {"name": "  An \t Bé ", "story": " Dòng 1\r\nDòng 2 ", "secret": "  giữ nguyên  ", "nickname": None},
        Sample,
    )
    assert sample.name == "An Bé"
    assert sample.story == "Dòng 1\nDòng 2"
    assert sample.secret == "  giữ nguyên  "
    assert sample.nickname is None


@pytest.mark.parametrize(
    ("raw", "vi"),
    [
        ("     ", "Trường «name» không được để trống."),
        (" a ", "Trường «name» phải có ít nhất 2 ký tự."),
        ("a\x00b", "Trường «name» chứa ký tự không hợp lệ (ký tự điều khiển)."),
    ],
)
def test_limits_and_control_characters_after_cleaning(raw: str, vi: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert({"name": raw}, Sample)
    assert _cause(caught.value).detail_vi == vi


def test_a_raw_field_still_refuses_control_characters() -> None:
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"name": "An", "secret": "x\x1by"}, Sample)


def test_preclean_lets_padded_text_fit_before_validation() -> None:
    value: dict[str, Any] = {"name": "   Bình   ", "story": "  x  ", "secret": "  s  ", "nickname": 5}
    preclean(value, Sample)
    assert value == {"name": "Bình", "story": "x", "secret": "  s  ", "nickname": 5}
    assert msgspec.convert(value | {"nickname": None}, Sample).name == "Bình"
    untouched = {"name": "a\x00 "}
    preclean(untouched, Sample)  # left for validation to refuse
    assert untouched == {"name": "a\x00 "}


def test_outreach_records_follow_the_rule() -> None:
    """The sync engine converts mutations with msgspec.convert: the rule applies there too."""
    base = {"commune_id": "29869", "kind": "village_outreach", "held_on": "2026-11-20"}
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**base, "title": "   "}, SessionCreate)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({**base, "title": "Họp\x00dân"}, SessionCreate)
    with pytest.raises(msgspec.ValidationError):
        msgspec.convert({"title": "   "}, SessionUpdate)
    session = msgspec.convert({**base, "title": "  Họp   dân ", "notes": " a\n b "}, SessionCreate)
    assert (session.title, session.notes, session.held_on) == ("Họp dân", "a\n b", dt.date(2026, 11, 20))
    question = msgspec.convert(
        {"session_id": str(uuid.uuid4()), "commune_id": "29869", "text": " Hỏi?\n ", "asker_name": "  Bà  Tư "},
        QuestionCreate,
    )
    assert (question.text, question.asker_name) == ("Hỏi?", "Bà Tư")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(" CanBo ", "canbo"), ("ＣＡＮＢＯ", "canbo"), ("Straße", "strasse"), ("İ" * 32, "i̇" * 32)],
)
def test_usernames_are_normalised(raw: str, expected: str) -> None:
    login = msgspec.convert({"username": raw, "password": " p ", "device_id": str(uuid.uuid4())}, LoginRequest)
    assert login.username == expected
    assert login.password == " p "  # passwords are never touched


@pytest.mark.parametrize(
    ("raw", "vi"),
    [
        ("İ" * 64, "Tên đăng nhập không được dài quá 64 ký tự."),  # lower-casing doubles its length
        ("   ", "Tên đăng nhập không được để trống."),
        ("can bo", "Tên đăng nhập không được chứa khoảng trắng hay ký tự điều khiển."),
    ],
)
def test_usernames_are_checked_after_normalising(raw: str, vi: str) -> None:
    with pytest.raises(msgspec.ValidationError) as caught:
        msgspec.convert({"username": raw, "password": "p", "device_id": str(uuid.uuid4())}, LoginRequest)
    assert _cause(caught.value).detail_vi == vi
