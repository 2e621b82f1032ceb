"""Registers the outreach tables with the sync engine."""

from __future__ import annotations

from backend.outreach.schemas import (
    QuestionCreate,
    QuestionUpdate,
    SessionCreate,
    SessionUpdate,
    question_check,
    session_v1_to_v2,
)
from sync.registry import EntitySpec, Parent, Registry

SESSION = EntitySpec(
    name="outreach_session",
    table="outreach_session",
    create=SessionCreate,
    update=SessionUpdate,
    upcasters={1: session_v1_to_v2},
)

QUESTION = EntitySpec(
    name="outreach_question",
    table="outreach_question",
    create=QuestionCreate,
    update=QuestionUpdate,
    parent=Parent(field="session_id", entity="outreach_session"),
    attachments=("photo_sha256",),
    check=question_check,
)


def register(registry: Registry) -> None:
    registry.register(SESSION)
    registry.register(QUESTION)
