"""Serving the built PWA: the citizen app at /, the staff app at /staff/, each with its own service worker.

Caching: hashed files under assets/ never change (immutable); service workers, HTML and manifests are
revalidated on every load so that an update is seen at once. HEAD is answered like GET, without the body.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated, Any

from litestar import Controller, Request, get, head
from litestar.params import PathParameter
from litestar.response import File
from litestar.response.file import ASGIFileResponse

from backend.accounts.guards import public
from backend.core.errors import AppError
from backend.settings import get_settings

_MEDIA_TYPES = {
    ".webmanifest": "application/manifest+json",
    ".js": "text/javascript",  # Litestar adds "; charset=utf-8" to text/ types
    ".mjs": "text/javascript",
    ".css": "text/css",
    ".html": "text/html",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".ico": "image/x-icon",
    ".woff2": "font/woff2",
    ".map": "application/json",
}
_REVALIDATE = "no-cache"
_IMMUTABLE = "public, max-age=31536000, immutable"
_DAY = "public, max-age=86400"


def cache_control(relative: str) -> str:
    name = relative.rsplit("/", 1)[-1]
    if "/assets/" in f"/{relative}":
        return _IMMUTABLE
    if name.endswith((".html", ".webmanifest")) or name in {"sw.js", "registerSW.js"} or name.startswith("workbox-"):
        return _REVALIDATE
    return _DAY


def media_type(path: Path) -> str:
    return _MEDIA_TYPES.get(path.suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def _resolve(dist: Path, relative: str) -> Path | None:
    try:
        candidate = (dist / relative).resolve()
        if dist not in candidate.parents and candidate != dist:
            return None  # path traversal
        return candidate if candidate.is_file() else None
    except (ValueError, OSError):  # a NUL byte, a name too long for the file system …: no such file
        return None


class PwaController(Controller):
    """Files of pwa/dist, with the app shell returned for client-side routes."""

    guards = [public]
    include_in_schema = False

    @get("/", sync_to_thread=False)
    def serve_root(self) -> File:
        return _serve("")

    @get("/{path:path}", sync_to_thread=False)
    def serve_path(self, path: Annotated[str, PathParameter()]) -> File:
        return _serve(path)

    @head("/", sync_to_thread=False)
    def head_root(self, request: Request[Any, Any, Any]) -> ASGIFileResponse:
        return _head(request, "")

    @head("/{path:path}", sync_to_thread=False)
    def head_path(self, request: Request[Any, Any, Any], path: Annotated[str, PathParameter()]) -> ASGIFileResponse:
        return _head(request, path)


def _head(request: Request[Any, Any, Any], path: str) -> ASGIFileResponse:
    """The GET answer's headers (Litestar leaves out Content-Type on HEAD: put it back) and no body."""
    file = _serve(path)
    media = file.media_type or "application/octet-stream"
    file.headers["Content-Type"] = f"{media}; charset=utf-8" if str(media).startswith("text/") else str(media)
    return file.to_asgi_response(None, request, is_head_response=True)


def _serve(path: str) -> File:
    relative = path.strip("/")
    if relative == "api" or relative.startswith("api/"):
        raise AppError(404, f"No API route /{relative}", "Không tìm thấy.")
    dist = get_settings().pwa_dist.resolve()
    if not (dist / "index.html").is_file():
        raise AppError(503, "The web app is not built; run `make pwa`", "Ứng dụng web chưa được xây dựng.")
    found = _resolve(dist, relative or "index.html")
    if found is None and "." not in relative.rsplit("/", 1)[-1]:
        # A client-side route such as /tra-cuu/ABC or /staff/hom-nay: serve that app's shell.
        in_staff = relative == "staff" or relative.startswith("staff/")
        found = _resolve(dist, "staff/index.html" if in_staff else "index.html")
    if found is None:
        raise AppError(404, f"No file /{relative}", "Không tìm thấy.")
    rel_to_dist = found.relative_to(dist).as_posix()
    return File(
        path=found,
        content_disposition_type="inline",
        media_type=media_type(found),
        headers={"Cache-Control": cache_control(rel_to_dist)},
    )
