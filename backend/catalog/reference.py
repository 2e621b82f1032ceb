"""Loading the shipped reference data (data/) into the database. Idempotent: a second run changes nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from piccolo.table import Table

from backend.catalog.services import procedure_search_text
from backend.catalog.tables import AdminUnit, LegacyUnit, Procedure
from backend.core.text import fold
from backend.db.engine import write_transaction

_WIDTH = {"province": 2, "district": 3, "commune": 5}  # official codes are zero-padded to these widths


def _code(value: int | str, level: str) -> str:
    return str(value).zfill(_WIDTH[level])


def admin_unit_rows(data_dir: Path) -> list[dict[str, Any]]:
    doc = json.loads((data_dir / "admin_units" / "new_units.json").read_text(encoding="utf-8"))
    province = doc["province"]
    province_code = _code(province["code"], "province")
    rows = [
        {
            "code": province_code,
            "name": province["name"],
            "name_folded": fold(province["name"]),
            "unit_type": province["type"],
            "level": "province",
            "parent_code": None,
        }
    ]
    for unit in doc["units"]:
        rows.append(
            {
                "code": _code(unit["code"], "commune"),
                "name": unit["name"],
                "name_folded": fold(unit["name"]),
                "unit_type": unit["type"],
                "level": "commune",
                "parent_code": _code(unit["province_code"], "province"),
            }
        )
    return rows


def legacy_unit_rows(data_dir: Path) -> list[dict[str, Any]]:
    doc = json.loads((data_dir / "admin_units" / "legacy_units.json").read_text(encoding="utf-8"))
    mapping = json.loads((data_dir / "admin_units" / "legacy_to_new.json").read_text(encoding="utf-8"))
    new_codes = {m["legacy_code"]: [_code(c, "commune") for c in m["new_codes"]] for m in mapping["mappings"]}
    rows: list[dict[str, Any]] = []
    for p in doc["provinces"]:
        code = _code(p["code"], "province")
        rows.append(
            {
                "code": code,
                "name": p["name"],
                "name_folded": fold(p["name"]),
                "unit_type": p["type"],
                "level": "province",
                "parent_code": None,
                "province_code": code,
                "new_codes": [_code(p["new_province_code"], "province")],
            }
        )
    for d in doc["districts"]:
        rows.append(
            {
                "code": _code(d["code"], "district"),
                "name": d["name"],
                "name_folded": fold(d["name"]),
                "unit_type": d["type"],
                "level": "district",
                "parent_code": _code(d["province_code"], "province"),
                "province_code": _code(d["province_code"], "province"),
                "new_codes": [],
            }
        )
    for c in doc["communes"]:
        rows.append(
            {
                "code": _code(c["code"], "commune"),
                "name": c["name"],
                "name_folded": fold(c["name"]),
                "unit_type": c["type"],
                "level": "commune",
                "parent_code": _code(c["district_code"], "district"),
                "province_code": _code(c["province_code"], "province"),
                "new_codes": new_codes.get(c["code"], []),
            }
        )
    return rows


def procedure_rows(data_dir: Path) -> list[dict[str, Any]]:
    doc = json.loads((data_dir / "procedures.json").read_text(encoding="utf-8"))
    items = doc["procedures"] if isinstance(doc, dict) else doc
    keys = {c._meta.name for c in Procedure._meta.columns}
    rows = []
    for item in items:
        row = {k: v for k, v in item.items() if k in keys}
        row["search_text"] = procedure_search_text(item["name"], item.get("name_en", ""), item["code"], item["field"])
        row.setdefault("active", True)
        rows.append(row)
    return rows


async def _upsert(table: type[Table], rows: list[dict[str, Any]]) -> tuple[int, int]:
    """Insert missing rows in bulk, update rows whose content changed; return (inserted, updated)."""
    pk = table._meta.primary_key
    existing = {r[pk._meta.name]: r for r in await table.select().output(load_json=True)}
    to_insert = [table(**row) for row in rows if row[pk._meta.name] not in existing]
    updated = 0
    for row in rows:
        current = existing.get(row[pk._meta.name])
        if current is not None and any(current.get(k) != v for k, v in row.items()):
            await table.update(row).where(pk == row[pk._meta.name])  # type: ignore[arg-type]
            updated += 1
    for start in range(0, len(to_insert), 500):
        await table.insert(*to_insert[start : start + 500])
    return len(to_insert), updated


def holiday_rows(data_dir: Path) -> list[dict[str, Any]]:
    import datetime as dt

    path = data_dir / "holidays.json"
    if not path.exists():
        return []
    doc = json.loads(path.read_text(encoding="utf-8"))
    return [{"day": dt.date.fromisoformat(h["day"]), "name": h["name"]} for h in doc["holidays"]]


async def load_reference_data(data_dir: Path) -> dict[str, tuple[int, int]]:
    from backend.appointments.tables import Holiday

    async with write_transaction():
        return {
            "holiday": await _upsert(Holiday, holiday_rows(data_dir)),
            "admin_unit": await _upsert(AdminUnit, admin_unit_rows(data_dir)),
            "legacy_unit": await _upsert(LegacyUnit, legacy_unit_rows(data_dir)),
            "procedure": await _upsert(Procedure, procedure_rows(data_dir))
            if (data_dir / "procedures.json").exists()
            else (0, 0),
        }
