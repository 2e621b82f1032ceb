"""Regenerate the admin-unit JSON files of this folder from the `vietnam-provinces` wheel.

Writes, next to this script (or into --out):
  new_units.json       new Đồng Tháp (code 82, since 2025-07-01) and its wards/communes
  legacy_units.json    pre-2025 three-tier units of former Đồng Tháp (87) and former Tiền Giang (82)
  legacy_to_new.json   legacy commune code -> new ward/commune code(s)

The package's own JSON files (vietnam_provinces/data/*.json) hold only the NEW units; the legacy
units and the conversion table live in its Python modules (vietnam_provinces/legacy/_lookup.py,
vietnam_provinces/_ward_conversion_2025.py). This script imports those modules. It needs nothing
beyond the standard library and the package itself (which is pure Python, stdlib-only), and
Python >= 3.12 (the package's requirement).

Usage (a throwaway download; no install needed, a wheel is importable as a zip):

    PY=/root/.pyenv/versions/3.12.1/bin/python3.12      # any Python >= 3.12
    $PY -m pip download --no-deps vietnam-provinces==2026.9.0 -d /tmp/vp
    $PY data/admin_units/regenerate.py --source /tmp/vp/vietnam_provinces-2026.9.0-py3-none-any.whl

    # or an unpacked wheel directory, or the package installed in a throwaway venv:
    $PY data/admin_units/regenerate.py --source /tmp/vp/unpacked
    /tmp/venv/bin/python data/admin_units/regenerate.py

    # compare with the committed files without writing (exit 1 on any difference):
    $PY data/admin_units/regenerate.py --source ... --check

Output is deterministic: records sorted by code, UTF-8, ensure_ascii=False, one record per line,
no timestamps. The same package version gives byte-identical files.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

NEW_PROVINCE_CODE = 82  # Tỉnh Đồng Tháp (new, since 2025-07-01)
LEGACY_PROVINCE_CODES = (82, 87)  # Tỉnh Tiền Giang (old 82), Tỉnh Đồng Tháp (old 87)
PACKAGE = "vietnam-provinces"
LICENSE = "GPL-3.0-or-later"


def _type(division_type) -> str:
    """'phường' -> 'phuong', 'thị trấn' -> 'thi_tran', 'thành phố trung ương' -> 'thanh_pho_trung_uong'."""
    return division_type.name.lower()


def _load(source: str | None):
    if sys.version_info < (3, 12):
        sys.exit("vietnam-provinces needs Python >= 3.12")
    if source:
        path = Path(source).resolve()
        if not path.exists():
            sys.exit(f"--source {path} does not exist")
        sys.path.insert(0, str(path))
    try:
        import vietnam_provinces as vp
        from vietnam_provinces import _lookup as new_lookup
        from vietnam_provinces import _ward_conversion_2025 as conv
        from vietnam_provinces.legacy import _lookup as legacy_lookup
    except ImportError as e:
        sys.exit(f"cannot import vietnam_provinces ({e}); pass --source WHEEL_OR_DIR")
    if source and not str(Path(vp.__file__).resolve()).startswith(str(Path(source).resolve())):
        sys.exit(f"imported vietnam_provinces from {vp.__file__}, not from --source {source}")
    return vp, new_lookup, legacy_lookup, conv


def build(vp, new_lookup, legacy_lookup, conv) -> tuple[dict, dict, dict, list[str]]:
    notes: list[str] = []
    source = {
        "package": PACKAGE,
        "version": vp.__version__,
        "data_version": vp.__data_version__,
        "license": LICENSE,
    }

    # --- new two-tier units -------------------------------------------------------------
    p = new_lookup.PROVINCE_MAPPING[NEW_PROVINCE_CODE]
    province = {
        "code": int(p.code),
        "name": p.name,
        "type": _type(p.division_type),
        "codename": p.codename,
        "phone_code": p.phone_code,
    }
    units = sorted(
        (
            {
                "code": int(w.code),
                "name": w.name,
                "type": _type(w.division_type),
                "codename": w.codename,
                "province_code": int(w.province_code),
            }
            for w in new_lookup.WARD_MAPPING.values()
            if int(w.province_code) == NEW_PROVINCE_CODE
        ),
        key=lambda u: u["code"],
    )
    new_codes = {u["code"]: u for u in units}
    new_doc = {"source": source, "province": province, "units": units}

    # --- legacy three-tier units --------------------------------------------------------
    old_to_new_prov = {}
    try:
        from vietnam_provinces import _province_conversion_2025 as pconv

        old_to_new_prov = {k: [r.code for r in v.new_provinces] for k, v in pconv.OLD_TO_NEW.items()}
    except ImportError:
        notes.append("no _province_conversion_2025 module; new_province_code set to 82")
    provinces = []
    for code in sorted(LEGACY_PROVINCE_CODES):
        lp = legacy_lookup.PROVINCE_MAPPING[code]
        provinces.append(
            {
                "code": int(lp.code),
                "name": lp.name,
                "type": _type(lp.division_type),
                "codename": lp.codename,
                "phone_code": lp.phone_code,
                "new_province_code": NEW_PROVINCE_CODE,
            }
        )
        targets = old_to_new_prov.get(code, [NEW_PROVINCE_CODE])
        if targets != [NEW_PROVINCE_CODE]:
            notes.append(
                f"package's province conversion table maps legacy province {code} to {targets}; "
                "see the commune-level check below"
            )
    districts = sorted(
        (
            {
                "code": int(d.code),
                "name": d.name,
                "type": _type(d.division_type),
                "codename": d.codename,
                "province_code": int(d.province_code),
            }
            for d in legacy_lookup.DISTRICT_MAPPING.values()
            if int(d.province_code) in LEGACY_PROVINCE_CODES
        ),
        key=lambda d: d["code"],
    )
    district_province = {d["code"]: d["province_code"] for d in districts}
    communes = sorted(
        (
            {
                "code": int(w.code),
                "name": w.name,
                "type": _type(w.division_type),
                "codename": w.codename,
                "district_code": int(w.district_code),
                "province_code": district_province[int(w.district_code)],
            }
            for w in legacy_lookup.WARD_MAPPING.values()
            if int(w.district_code) in district_province
        ),
        key=lambda c: c["code"],
    )
    legacy_doc = {"source": source, "provinces": provinces, "districts": districts, "communes": communes}

    # --- legacy -> new mapping ----------------------------------------------------------
    mappings = []
    for c in communes:
        entry = conv.OLD_TO_NEW.get(c["code"])
        if entry is None:
            raise SystemExit(f"legacy commune {c['code']} {c['name']} has no entry in the conversion table")
        if entry.old_ward.district_code != c["district_code"]:
            notes.append(f"legacy commune {c['code']}: conversion table says district {entry.old_ward.district_code}")
        targets = sorted(r.code for r in entry.new_wards)
        for t in targets:
            if t not in new_codes:
                raise SystemExit(f"legacy commune {c['code']} maps to {t}, which is not in new province 82")
        mappings.append(
            {
                "legacy_code": c["code"],
                "legacy_name": c["name"],
                "legacy_district_code": c["district_code"],
                "legacy_province_code": c["province_code"],
                "new_codes": targets,
                "new_names": [new_codes[t]["name"] for t in targets],
                "split": len(targets) > 1,
                "partly_merged": bool(entry.old_ward.is_partly_merged),
            }
        )
    legacy_codes = {c["code"] for c in communes}
    # Entries of the conversion table that claim one of our legacy provinces but whose commune is
    # not one of its communes in the package's legacy lookup (a data error upstream): left out.
    for code, entry in sorted(conv.OLD_TO_NEW.items()):
        if entry.old_ward.province_code in LEGACY_PROVINCE_CODES and code not in legacy_codes:
            lw = legacy_lookup.WARD_MAPPING.get(code)
            where = ""
            if lw is not None:
                d = legacy_lookup.DISTRICT_MAPPING[int(lw.district_code)]
                where = f" = {lw.name}, {d.name}, legacy province {int(d.province_code)}"
            notes.append(
                f"conversion table entry {code}{where} claims legacy province {entry.old_ward.province_code} "
                f"and maps to {[r.code for r in entry.new_wards]}; left out"
            )
    covered = {t for m in mappings for t in m["new_codes"]}
    missing = sorted(set(new_codes) - covered)
    if missing:
        notes.append(f"new units with no legacy source in 82/87: {missing}")
    mapping_doc = {
        "source": {**source, "table": conv.SOURCE, "effective_date": conv.EFFECTIVE_DATE},
        "mappings": mappings,
    }
    return new_doc, legacy_doc, mapping_doc, notes


def dumps(doc: dict) -> str:
    """JSON text with one record per line: small, diff-friendly, deterministic."""

    def one(v) -> str:
        return json.dumps(v, ensure_ascii=False, separators=(", ", ": "))

    lines = ["{"]
    keys = list(doc)
    for i, k in enumerate(keys):
        v = doc[k]
        comma = "," if i < len(keys) - 1 else ""
        if isinstance(v, list):
            lines.append(f" {one(k)}: [")
            for j, item in enumerate(v):
                lines.append(f"  {one(item)}{',' if j < len(v) - 1 else ''}")
            lines.append(f" ]{comma}")
        else:
            lines.append(f" {one(k)}: {one(v)}{comma}")
    lines.append("}")
    return "\n".join(lines) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", help="vietnam-provinces wheel file or unpacked wheel directory")
    ap.add_argument("--out", default=str(Path(__file__).resolve().parent), help="output folder")
    ap.add_argument("--check", action="store_true", help="compare with existing files, write nothing")
    args = ap.parse_args()

    vp, new_lookup, legacy_lookup, conv = _load(args.source)
    new_doc, legacy_doc, mapping_doc, notes = build(vp, new_lookup, legacy_lookup, conv)
    files = {
        "new_units.json": dumps(new_doc),
        "legacy_units.json": dumps(legacy_doc),
        "legacy_to_new.json": dumps(mapping_doc),
    }
    for text in files.values():  # must round-trip
        json.loads(text)

    units = new_doc["units"]
    print(f"{PACKAGE} {vp.__version__} (data {vp.__data_version__})")
    print(
        f"new province {new_doc['province']['code']} {new_doc['province']['name']}: {len(units)} units, "
        + ", ".join(f"{t}={sum(u['type'] == t for u in units)}" for t in sorted({u["type"] for u in units}))
    )
    for p in legacy_doc["provinces"]:
        ds = [d for d in legacy_doc["districts"] if d["province_code"] == p["code"]]
        cs = [c for c in legacy_doc["communes"] if c["province_code"] == p["code"]]
        print(
            f"legacy province {p['code']} {p['name']}: {len(ds)} districts, {len(cs)} communes ("
            + ", ".join(f"{t}={sum(c['type'] == t for c in cs)}" for t in sorted({c["type"] for c in cs}))
            + ")"
        )
    ms = mapping_doc["mappings"]
    print(f"mappings: {len(ms)}, split: {sum(m['split'] for m in ms)}")
    for n in notes:
        print(f"note: {n}")

    out = Path(args.out)
    differ = []
    for name, text in files.items():
        path = out / name
        if args.check:
            if not path.exists() or path.read_bytes() != text.encode("utf-8"):
                differ.append(name)
        else:
            path.write_bytes(text.encode("utf-8"))
            print(f"wrote {path} ({len(text.encode('utf-8'))} bytes)")
    if args.check:
        print("differ: " + ", ".join(differ) if differ else "all files identical")
        return 1 if differ else 0
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
