"""Wire schemas of the catalogue: administrative units and procedures."""

from __future__ import annotations

from typing import Literal

import msgspec

VisitKind = Literal["guide", "receive_dossier", "return_result", "postal_delivery"]


class UnitOut(msgspec.Struct):
    code: str
    name: str
    unit_type: str
    level: str
    parent_code: str | None
    # Units before 1 July 2025 only (GET /api/units?legacy=true): their province, and the new units they became.
    # One shape for both searches: a list of either kind of unit would match two schemas when it is empty.
    province_code: str | msgspec.UnsetType = msgspec.UNSET
    new_codes: list[str] | msgspec.UnsetType = msgspec.UNSET


class LegacyUnitOut(msgspec.Struct):
    code: str
    name: str
    unit_type: str
    level: str
    parent_code: str | None
    province_code: str
    new_codes: list[str]


class LegacyResolution(msgspec.Struct):
    """A legacy commune that matched the address given, and the new unit(s) it now belongs to."""

    legacy_commune: LegacyUnitOut
    legacy_district: LegacyUnitOut | None
    new_units: list[UnitOut]


class Document(msgspec.Struct, omit_defaults=True):
    name: str
    note: str | None = None


class FormField(msgspec.Struct, omit_defaults=True):
    key: str
    label_vi: str
    label_en: str
    type: str
    required: bool = False
    section: str | None = None
    options: list[str] | None = None


class DeclarationForm(msgspec.Struct, omit_defaults=True):
    title_vi: str = ""
    title_en: str = ""
    based_on: str = ""
    fields: list[FormField] = msgspec.field(default_factory=list)


class FactCheck(msgspec.Struct, omit_defaults=True):
    """Whether a fact of the catalogue was checked against a source, and which."""

    verified: bool
    evidence: str = "none"
    sources: list[str] = msgspec.field(default_factory=list)
    note: str = ""


class ProcedureOut(msgspec.Struct):
    code: str
    name: str
    name_official: str
    name_en: str
    field: str
    level: str
    agency: str
    result: str
    processing_days: int | None
    processing_note: str
    fee_vnd: int | None
    fee_note: str
    required_documents: list[Document]
    visit_kinds: list[VisitKind]
    visit_note: str
    legal_basis: list[str]
    form: DeclarationForm
    form_version: int
    verified: dict[str, FactCheck]
