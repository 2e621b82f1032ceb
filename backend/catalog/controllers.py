"""Public catalogue: administrative units (new and legacy) and procedures."""

from __future__ import annotations

from typing import Annotated, Any, Literal

import msgspec
from litestar import Controller, get
from litestar.params import PathParameter, QueryParameter

from backend.accounts.guards import public
from backend.catalog import services
from backend.catalog.schemas import LegacyResolution, ProcedureOut, UnitOut
from backend.catalog.tables import AdminUnit, Procedure
from backend.core.errors import AppError

Query = Annotated[str, QueryParameter(description="Words to find; diacritics and đ/d are ignored", max_length=100)]
Limit = Annotated[int, QueryParameter(ge=1, le=500, description="At most this many results")]


def _units(rows: list[dict[str, Any]]) -> list[UnitOut]:
    return [msgspec.convert(r, UnitOut, from_attributes=False, strict=False) for r in rows]


class UnitController(Controller):
    path = "/api/units"
    tags = ["catalog"]
    guards = [public]

    @get("/", summary="Search administrative units (new two-tier units by default)")
    async def search(
        self,
        q: Query = "",
        level: Annotated[
            Literal["province", "commune", "district"] | None, QueryParameter(description="Level of unit")
        ] = None,
        legacy: Annotated[bool, QueryParameter(description="Search the units before 1 July 2025")] = False,
        limit: Limit = 50,
    ) -> list[UnitOut]:
        if legacy:
            rows = await services.search_legacy_units(q, level, limit)
            return [msgspec.convert(r, UnitOut, strict=False) for r in rows]
        return _units(await services.search_units(q, level, limit))

    @get("/resolve", summary="Map a legacy address (old district + commune) to its new unit")
    async def resolve(
        self,
        commune: Annotated[str, QueryParameter(min_length=1, max_length=100, description="Old commune/ward name")],
        district: Annotated[
            str | None,
            QueryParameter(max_length=100, description="Old district name, to tell apart communes"),
        ] = None,
    ) -> list[LegacyResolution]:
        rows = await services.resolve_legacy(commune, district)
        return [msgspec.convert(r, LegacyResolution, strict=False) for r in rows]

    @get("/{code:str}", summary="One administrative unit")
    async def detail(self, code: Annotated[str, PathParameter(max_length=20)]) -> UnitOut:
        row = await AdminUnit.select().where(AdminUnit.code == code).first()
        if row is None:
            raise AppError(404, f"No unit with code {code}", "Không tìm thấy đơn vị hành chính.")
        return msgspec.convert(row, UnitOut, strict=False)


class ProcedureController(Controller):
    path = "/api/procedures"
    tags = ["catalog"]
    guards = [public]

    @get("/", summary="Search the procedure catalogue")
    async def search(self, q: Query = "", limit: Limit = 100) -> list[ProcedureOut]:
        rows = await services.search_procedures(q, limit)
        return [msgspec.convert(r, ProcedureOut, strict=False) for r in rows]

    @get("/{code:str}", summary="One procedure with its documents, fees and declaration form")
    async def detail(self, code: Annotated[str, PathParameter(max_length=20)]) -> ProcedureOut:
        row = await Procedure.select().where(Procedure.code == code).first().output(load_json=True)
        if row is None:
            raise AppError(404, f"No procedure with code {code}", "Không tìm thấy thủ tục.")
        return msgspec.convert(row, ProcedureOut, strict=False)
