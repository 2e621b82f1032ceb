"""Administrative units and procedures: search ignoring diacritics, legacy addresses mapped to new units."""

from __future__ import annotations

from typing import Any

from litestar.testing import TestClient


def test_new_dong_thap_has_102_wards_and_communes(client: TestClient[Any]) -> None:
    units = client.get("/api/units", params={"level": "commune", "limit": 500}).json()
    assert len(units) == 102
    assert sum(u["unit_type"] == "phuong" for u in units) == 20
    assert sum(u["unit_type"] == "xa" for u in units) == 82
    assert {u["parent_code"] for u in units} == {"82"}
    province = client.get("/api/units/82").json()
    assert province["name"] == "Tỉnh Đồng Tháp" and province["level"] == "province"


def test_unit_search_ignores_diacritics(client: TestClient[Any]) -> None:
    names = [u["name"] for u in client.get("/api/units", params={"q": "cao lanh"}).json()]
    assert names[0] == "Phường Cao Lãnh"
    # đ is searched as d, in either direction.
    assert "Phường Sa Đéc" in [u["name"] for u in client.get("/api/units", params={"q": "sa dec"}).json()]
    assert "Phường Sa Đéc" in [u["name"] for u in client.get("/api/units", params={"q": "SA ĐÉC"}).json()]
    assert client.get("/api/units", params={"q": "khong co xa nay"}).json() == []


def test_legacy_units_are_searchable(client: TestClient[Any]) -> None:
    found = client.get("/api/units", params={"q": "huyen cao lanh", "legacy": "true", "level": "district"}).json()
    assert [u["name"] for u in found] == ["Huyện Cao Lãnh"]
    assert found[0]["province_code"] == "87"  # former Đồng Tháp


def test_both_unit_searches_answer_one_documented_shape(client: TestClient[Any]) -> None:
    """A list of new units or of legacy ones, told apart by the query: one schema, UnitOut, whose legacy fields only
    legacy units carry (a choice of two list schemas matched both when the list was empty)."""
    schema = client.get("/api/schema/openapi.json").json()
    answer = schema["paths"]["/api/units"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert answer == {"items": {"$ref": "#/components/schemas/UnitOut"}, "type": "array"}
    legacy = client.get("/api/units", params={"q": "my tra", "legacy": "true", "level": "commune"}).json()
    assert legacy and all({"province_code", "new_codes"} <= set(u) for u in legacy)
    new = client.get("/api/units", params={"q": "my tra"}).json()
    assert new and all(not {"province_code", "new_codes"} & set(u) for u in new)


def test_legacy_address_resolves_to_its_new_unit(client: TestClient[Any]) -> None:
    resolved = client.get("/api/units/resolve", params={"commune": "xa my tra", "district": "TP Cao Lãnh"}).json()
    assert len(resolved) == 1
    assert resolved[0]["legacy_commune"]["name"] == "Xã Mỹ Trà"
    assert resolved[0]["legacy_district"]["name"] == "Thành phố Cao Lãnh"
    assert [u["name"] for u in resolved[0]["new_units"]] == ["Phường Mỹ Trà"]


def test_legacy_tien_giang_address_resolves_too(client: TestClient[Any]) -> None:
    # Former Tiền Giang merged into the new Đồng Tháp: "Phường 5, TP Mỹ Tho" is now Phường Đạo Thạnh.
    resolved = client.get("/api/units/resolve", params={"commune": "Phường 5", "district": "Thành phố Mỹ Tho"}).json()
    assert [u["name"] for r in resolved for u in r["new_units"]] == ["Phường Đạo Thạnh"]


def test_resolve_without_district_lists_every_candidate(client: TestClient[Any]) -> None:
    resolved = client.get("/api/units/resolve", params={"commune": "Phường 1"}).json()
    districts = {r["legacy_district"]["name"] for r in resolved}
    assert len(districts) > 1  # several old towns had a "Phường 1"


def test_unknown_unit_is_a_clear_404(client: TestClient[Any]) -> None:
    response = client.get("/api/units/99999")
    assert response.status_code == 404
    assert response.json()["detail_vi"] == "Không tìm thấy đơn vị hành chính."


def test_procedure_search_ignores_diacritics(client: TestClient[Any]) -> None:
    found = client.get("/api/procedures", params={"q": "dang ky khai sinh"}).json()
    assert found and found[0]["name"] == "Đăng ký khai sinh"
    assert found[0]["code"] == "1.001193"
    by_code = client.get("/api/procedures", params={"q": "1.000894"}).json()
    assert [p["name"] for p in by_code] == ["Đăng ký kết hôn"]


def test_catalogue_lists_the_common_commune_procedures(client: TestClient[Any]) -> None:
    procedures = client.get("/api/procedures").json()
    codes = {p["code"] for p in procedures}
    assert {"1.001193", "1.000894", "1.000656", "2.000815", "2.000884", "1.004194", "1.004222"} <= codes
    for procedure in procedures:
        assert procedure["required_documents"], procedure["code"]
        assert procedure["visit_kinds"], procedure["code"]
        assert "verified" in procedure


def test_procedure_detail_has_the_declaration_form(client: TestClient[Any]) -> None:
    birth = client.get("/api/procedures/1.001193").json()
    assert birth["form_version"] >= 1
    assert birth["form"]["title_vi"] == "Tờ khai đăng ký khai sinh"
    assert any(field["required"] for field in birth["form"]["fields"])
    assert birth["verified"]["code"]["verified"] in (True, False)
    assert client.get("/api/procedures/9.999999").status_code == 404
