from backend.catalog.services import bare_name
from backend.core.text import fold, search_tokens


def test_fold_strips_diacritics_and_maps_d_bar() -> None:
    assert fold("Đăng ký khai sinh") == "dang ky khai sinh"
    assert fold("  Phường   Cao Lãnh ") == "phuong cao lanh"
    assert fold("ĐỒNG THÁP") == "dong thap"
    assert fold("Thủ tục Chứng thực bản sao") == "thu tuc chung thuc ban sao"


def test_fold_handles_precomposed_and_decomposed_input_alike() -> None:
    import unicodedata

    text = "Hòa Long, Mỹ Trà"
    assert fold(unicodedata.normalize("NFC", text)) == fold(unicodedata.normalize("NFD", text)) == "hoa long, my tra"


def test_search_tokens_keeps_procedure_codes() -> None:
    assert search_tokens("Đăng ký 1.001193!") == ["dang", "ky", "1.001193"]
    assert search_tokens("   ") == []


def test_bare_name_drops_unit_type_words() -> None:
    assert bare_name("Thị trấn Mỹ Thọ") == "my tho"
    assert bare_name("Huyện Cao Lãnh") == "cao lanh"
    assert bare_name("TP. Sa Đéc") == "sa dec"
    assert bare_name("Xã Mỹ Trà") == "my tra"
