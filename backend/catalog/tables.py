"""Reference data: administrative units (new two-tier and legacy three-tier) and the procedure catalogue."""

from piccolo.columns import JSON, Boolean, Integer, Text, Varchar
from piccolo.table import Table


class AdminUnit(Table, tablename="admin_unit"):
    """A unit of the two-tier system in force since 1 July 2025: the province and its wards/communes."""

    code = Varchar(length=10, primary_key=True)
    name = Varchar(length=120)
    name_folded = Varchar(length=120, index=True)  # lower case, no diacritics, đ → d: for search
    unit_type = Varchar(length=20)  # tinh, thanh_pho, phuong, xa, dac_khu
    level = Varchar(length=10)  # province | commune
    parent_code = Varchar(length=10, null=True, default=None)


class LegacyUnit(Table, tablename="legacy_unit"):
    """A unit of the three-tier system before 1 July 2025, still found on citizens' papers."""

    code = Varchar(length=10, primary_key=True)
    name = Varchar(length=120)
    name_folded = Varchar(length=120, index=True)
    unit_type = Varchar(length=20)
    level = Varchar(length=10)  # province | district | commune
    parent_code = Varchar(length=10, null=True, default=None)
    province_code = Varchar(length=10)
    new_codes = JSON(default=[])  # the new units it became (a commune may have been split)


class Procedure(Table, tablename="procedure"):
    """An administrative procedure (TTHC) that officers can carry out at the citizen's home."""

    code = Varchar(length=20, primary_key=True)
    name = Varchar(length=200)
    name_official = Varchar(length=300, default="")
    name_en = Varchar(length=200)
    search_text = Text()  # folded name, English name, code and field: what search matches against
    field = Varchar(length=120)
    level = Varchar(length=20, default="xã")
    agency = Varchar(length=200, default="")  # who decides: UBND cấp xã, Công an cấp xã…
    result = Text(default="")  # what the citizen receives
    processing_days = Integer(null=True, default=None)
    processing_note = Text(default="")
    fee_vnd = Integer(null=True, default=None)
    fee_note = Text(default="")
    required_documents = JSON(default=[])
    visit_kinds = JSON(default=[])
    visit_note = Text(default="")
    legal_basis = JSON(default=[])
    form = JSON(default={})  # the declaration the officer fills for the citizen: title and fields
    form_version = Integer(default=1)
    verified = JSON(default={})
    active = Boolean(default=True)
