"""Vietnamese text helpers: search that ignores diacritics (đ = d too)."""

from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def fold(text: str) -> str:
    """Lower-case, strip diacritics and map đ to d: "Đăng ký khai sinh" → "dang ky khai sinh"."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    stripped = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return _SPACES.sub(" ", stripped.lower()).strip()


def search_tokens(query: str) -> list[str]:
    """The folded words of a query; every one must appear in a match."""
    return [t for t in re.split(r"[^0-9a-z.]+", fold(query)) if t]
