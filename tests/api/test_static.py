"""Serving the built PWA: app shells for client routes, caching that lets updates through, no path escapes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from litestar.testing import TestClient


@pytest.fixture
def dist(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tmp_path / "dist"
    (root / "assets").mkdir(parents=True)
    (root / "staff").mkdir()
    (root / "index.html").write_text("<!doctype html><title>citizen</title>")
    (root / "staff" / "index.html").write_text("<!doctype html><title>staff</title>")
    (root / "sw.js").write_text("self.addEventListener('fetch', () => {})")
    (root / "staff" / "sw.js").write_text("// staff worker")
    (root / "manifest.webmanifest").write_text('{"name": "Gần Dân"}')
    (root / "staff" / "manifest.webmanifest").write_text('{"name": "Gần Dân – Cán bộ"}')
    (root / "assets" / "app-3f2a1b.js").write_text("console.log(1)")
    (root / "icon-192.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (tmp_path / "secret.txt").write_text("outside the build")
    monkeypatch.setenv("PWA_DIST", str(root))
    return root


def test_app_shells_and_client_side_routes(client: TestClient[Any], dist: Path) -> None:
    assert "citizen" in client.get("/").text
    assert "citizen" in client.get("/tra-cuu/ABC123").text
    assert "staff" in client.get("/staff/").text
    assert "staff" in client.get("/staff/hom-nay").text
    page = client.get("/")
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-cache"


def test_caching_rules(client: TestClient[Any], dist: Path) -> None:
    for worker in ("/sw.js", "/staff/sw.js"):
        response = client.get(worker)
        assert response.headers["cache-control"] == "no-cache"
        assert response.headers["content-type"].startswith("text/javascript")
    asset = client.get("/assets/app-3f2a1b.js")
    assert asset.headers["cache-control"] == "public, max-age=31536000, immutable"
    for manifest in ("/manifest.webmanifest", "/staff/manifest.webmanifest"):
        response = client.get(manifest)
        assert response.headers["content-type"] == "application/manifest+json"
        assert response.headers["cache-control"] == "no-cache"
    assert client.get("/icon-192.png").headers["cache-control"] == "public, max-age=86400"


def test_missing_files_and_path_escapes_are_404(client: TestClient[Any], dist: Path) -> None:
    assert client.get("/assets/gone-123.js").status_code == 404
    assert client.get("/..%2Fsecret.txt").status_code == 404
    assert client.get("/%2e%2e/secret.txt").status_code == 404
    assert "outside" not in client.get("/staff/..%2F..%2Fsecret.txt").text


def test_unbuilt_pwa_is_explained(client: TestClient[Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PWA_DIST", str(tmp_path / "nothing"))
    response = client.get("/")
    assert response.status_code == 503
    assert "make pwa" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/%00", "/assets/app%00.js", "/staff/%00/x"])
def test_a_nul_in_a_path_is_a_400(client: TestClient[Any], dist: Path, path: str) -> None:
    response = client.get(path)
    assert response.status_code == 400
    assert response.json()["detail_vi"] == "Đường dẫn chứa ký tự không hợp lệ."


def test_a_name_the_file_system_cannot_hold_is_not_found(client: TestClient[Any], dist: Path) -> None:
    assert client.get("/assets/" + "a" * 300 + ".js").status_code == 404  # one name past 255 bytes
    long_route = client.get("/tra-cuu/" + "b" * 300)  # a client-side route: the shell, whatever its length
    assert long_route.status_code == 200 and "citizen" in long_route.text


@pytest.mark.parametrize(
    "path", ["/", "/staff/", "/tra-cuu/ABC123", "/staff/hom-nay", "/sw.js", "/assets/app-3f2a1b.js"]
)
def test_head_is_answered_like_get_without_a_body(client: TestClient[Any], dist: Path, path: str) -> None:
    got = client.get(path)
    head = client.head(path)
    assert head.status_code == got.status_code == 200
    assert head.content == b""
    for name in ("content-type", "cache-control", "content-length", "content-security-policy"):
        assert head.headers[name] == got.headers[name], name


def test_head_on_missing_files_and_the_api(client: TestClient[Any], dist: Path) -> None:
    assert client.head("/assets/gone-123.js").status_code == 404
    health = client.head("/api/health")
    assert health.status_code == 200 and health.content == b""
