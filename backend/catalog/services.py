"""Search over units and procedures, ignoring diacritics; mapping of legacy addresses to new units."""

from __future__ import annotations

import re
from typing import Any

from piccolo.columns import Column
from piccolo.columns.combination import And, Where
from piccolo.table import Table

from backend.catalog.tables import AdminUnit, LegacyUnit, Procedure
from backend.core.text import fold, search_tokens

# Unit-type words people write (or leave out) before a name: "Huyện Cao Lãnh", "xã Mỹ Trà", "TP. Sa Đéc".
_TYPE_PREFIX = re.compile(r"^(thanh pho|tp\.?|thi xa|tx\.?|thi tran|tt\.?|huyen|quan|phuong|p\.|xa|tinh)\s+")


def bare_name(name: str) -> str:
    """The folded name without its unit-type word: "Thị trấn Mỹ Thọ" → "my tho"."""
    folded = fold(name)
    return _TYPE_PREFIX.sub("", folded).strip()


def _all_tokens(column: Column, tokens: list[str]) -> Where | And | None:
    condition: Where | And | None = None
    for token in tokens:
        clause = column.like(f"%{token}%")
        condition = clause if condition is None else condition & clause
    return condition


def _rank(folded_query: str, folded_name: str) -> tuple[int, str]:
    if folded_name == folded_query or bare_name(folded_name) == folded_query:
        return (0, folded_name)
    if bare_name(folded_name).startswith(folded_query):
        return (1, folded_name)
    return (2, folded_name)


async def _search(table: type[Table], query: str, level: str | None, limit: int) -> list[dict[str, Any]]:
    """Rows whose folded name holds every word of the query, at a level if given; exact, then prefix first."""
    name_folded: Column = table._meta.get_column_by_name("name_folded")
    tokens = search_tokens(query)
    condition: Any = _all_tokens(name_folded, tokens)
    if level:
        level_clause = table._meta.get_column_by_name("level") == level
        condition = level_clause if condition is None else condition & level_clause
    select = table.select()
    if condition is not None:
        select = select.where(condition)
    rows = await select.output(load_json=True)
    folded_query = " ".join(tokens)
    rows.sort(key=lambda r: _rank(folded_query, r["name_folded"]))
    return rows[:limit]


async def search_units(query: str, level: str | None, limit: int) -> list[dict[str, Any]]:
    return await _search(AdminUnit, query, level, limit)


async def search_legacy_units(query: str, level: str | None, limit: int) -> list[dict[str, Any]]:
    return await _search(LegacyUnit, query, level, limit)


async def resolve_legacy(commune: str, district: str | None) -> list[dict[str, Any]]:
    """Legacy communes matching a name (and district name, when given), each with its new units."""
    wanted = bare_name(commune)
    if not wanted:
        return []
    candidates = await (
        LegacyUnit.select()
        .where((LegacyUnit.level == "commune") & LegacyUnit.name_folded.like(f"%{wanted}%"))
        .output(load_json=True)
    )
    candidates = [c for c in candidates if bare_name(c["name"]) == wanted]
    districts = {
        d["code"]: d
        for d in await LegacyUnit.select()
        .where(LegacyUnit.code.is_in([c["parent_code"] for c in candidates] or [""]))
        .output(load_json=True)
    }
    if district:
        wanted_district = bare_name(district)
        candidates = [
            c
            for c in candidates
            if c["parent_code"] in districts and bare_name(districts[c["parent_code"]]["name"]) == wanted_district
        ]
    new_codes = sorted({code for c in candidates for code in c["new_codes"]})
    new_units = {u["code"]: u for u in await AdminUnit.select().where(AdminUnit.code.is_in(new_codes or [""]))}
    return [
        {
            "legacy_commune": c,
            "legacy_district": districts.get(c["parent_code"]),
            "new_units": [new_units[code] for code in c["new_codes"] if code in new_units],
        }
        for c in candidates
    ]


async def search_procedures(query: str, limit: int) -> list[dict[str, Any]]:
    select = Procedure.select().where(Procedure.active == True)  # noqa: E712 (Piccolo builds SQL from ==)
    tokens = search_tokens(query)
    condition = _all_tokens(Procedure.search_text, tokens)
    if condition is not None:
        select = select.where(condition)
    rows = await select.order_by(Procedure.name).output(load_json=True)
    folded_query = " ".join(tokens)
    rows.sort(key=lambda r: _rank(folded_query, fold(r["name"])))
    return rows[:limit]


def procedure_search_text(name: str, name_en: str, code: str, field: str) -> str:
    return " ".join([fold(name), fold(name_en), code, fold(field)])
