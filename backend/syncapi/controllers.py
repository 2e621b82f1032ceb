"""Sync endpoints: push, pull, server info, conflicts, rejected mutations and attachments."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

import anyio
from litestar import Controller, Request, Response, get, head, post, put
from litestar.exceptions import SerializationException
from litestar.params import HeaderParameter, JSONBody, PathParameter, QueryParameter
from litestar.response import File

from backend.accounts.guards import principal_of, staff
from backend.core.errors import AppError
from backend.core.openapi import raw_body
from backend.core.requests import AppRequest
from backend.syncapi.services import (
    ATTACHMENT_MAX_BYTES,
    CHUNK_MAX_BYTES,
    PUSH_MAX_BODY_BYTES,
    actor_of,
    get_file_store,
    get_sync_engine,
)
from sync.attachments import SHA256, UploadError
from sync.engine import SyncError
from sync.inputs import loads_lenient
from sync.messages import (
    MAX_BATCH,
    MAX_PAGE,
    AttachmentStatus,
    ConflictOut,
    MutationResult,
    PullRequest,
    PullResponse,
    PushRequest,
    PushResponse,
    RejectedOut,
    Resolution,
    ServerInfo,
)

_VI = {
    "protocol": "Phiên bản ứng dụng không còn được hỗ trợ. Vui lòng cập nhật ứng dụng.",
    "schema_old": "Phiên bản dữ liệu của ứng dụng đã cũ. Vui lòng cập nhật ứng dụng.",
    "schema_newer": "Máy chủ chưa hỗ trợ phiên bản ứng dụng này. Vui lòng thử lại sau.",
    "seq_order": "Thứ tự thao tác gửi lên không hợp lệ.",
    "bad_hash": "Mã băm tệp không hợp lệ.",
    "too_large": "Tệp quá lớn.",
    "chunk_too_large": "Phần tệp gửi lên quá lớn.",
    "bad_range": "Vị trí phần tệp không hợp lệ.",
    "offset_mismatch": "Vị trí tải lên không khớp; hãy tiếp tục từ vị trí máy chủ báo.",
    "hash_mismatch": "Tệp tải lên bị hỏng (mã băm không khớp). Vui lòng tải lại.",
}
_SUPERVISORS = ("supervisor", "admin")

Sha = Annotated[str, PathParameter(min_length=64, max_length=64, description="Lower-case hex SHA-256 of the file")]
ConflictId = Annotated[uuid.UUID, PathParameter(description="The conflict")]


def _sync_error(exc: SyncError) -> AppError:
    return AppError(exc.status, exc.message, _VI.get(exc.code), extra={"code": exc.code})


def _own_device(request: Request[Any, Any, Any], client_id: uuid.UUID) -> None:
    if client_id != principal_of(request).device_id:
        raise AppError(
            403,
            "client_id is not the device of this session",
            "Mã thiết bị không khớp với phiên đăng nhập.",
            extra={"code": "wrong_client"},
        )


class _SyncJSONRequest(AppRequest):
    """The JSON bodies of the sync endpoints, read so that every input has a defined answer.

    Malformed bodies get the app's 400s (backend/core/requests.py), but a bad value inside a mutation is the
    engine's to judge: that mutation alone is rejected (sync/inputs.py), the rest of the batch applies.
    A body may escape a lone UTF-16 surrogate (a JavaScript string cut inside an emoji), which msgspec refuses:
    it is read anyway, so that the mutation carrying it is rejected instead of the batch failing on every retry.
    """

    check_text = False

    async def decode(self) -> Any:
        try:
            return await super().decode()
        except SerializationException:
            try:
                return loads_lenient(await self.body())
            except ValueError:
                pass
            raise


class SyncController(Controller):
    path = "/api/sync"
    tags = ["sync"]

    @get("/info", guards=[staff()], summary="Server identity, supported versions and limits")
    async def info(self) -> ServerInfo:
        engine = get_sync_engine()
        state = await engine.server_state()
        return ServerInfo(
            server_id=state["server_id"],
            epoch=int(state["epoch"]),
            versions=engine.versions,
            entities=[s.name for s in engine.registry.specs],
            max_batch=MAX_BATCH,
            max_page=MAX_PAGE,
            attachment_max_bytes=ATTACHMENT_MAX_BYTES,
            chunk_max_bytes=CHUNK_MAX_BYTES,
        )

    @post(
        "/push",
        guards=[staff()],
        status_code=200,
        request_max_body_size=PUSH_MAX_BODY_BYTES,
        request_class=_SyncJSONRequest,
        summary="Apply a batch of this device's mutations, exactly once",
    )
    async def push(self, request: Request[Any, Any, Any], data: JSONBody[PushRequest]) -> PushResponse:
        _own_device(request, data.client_id)
        try:
            return await get_sync_engine().push(data, actor_of(principal_of(request)))
        except SyncError as exc:
            raise _sync_error(exc) from exc

    @post(
        "/pull",
        guards=[staff()],
        status_code=200,
        request_class=_SyncJSONRequest,
        summary="Changes in this device's scope since a cursor",
    )
    async def pull(self, request: Request[Any, Any, Any], data: JSONBody[PullRequest]) -> PullResponse:
        _own_device(request, data.client_id)
        try:
            return await get_sync_engine().pull(data, actor_of(principal_of(request)))
        except SyncError as exc:
            raise _sync_error(exc) from exc

    @get("/conflicts", guards=[staff()], summary="Conflicts in your communes")
    async def conflicts(
        self,
        request: Request[Any, Any, Any],
        open_only: Annotated[bool, QueryParameter(name="open", description="Only unresolved conflicts")] = True,
    ) -> list[ConflictOut]:
        return await get_sync_engine().conflicts(principal_of(request).communes, open_only=open_only)

    @post(
        "/conflicts/{conflict_id:uuid}/resolve",
        guards=[staff(*_SUPERVISORS)],
        status_code=200,
        request_class=_SyncJSONRequest,
        summary="Resolve a conflict (supervisors)",
    )
    async def resolve(
        self, request: Request[Any, Any, Any], conflict_id: ConflictId, data: JSONBody[Resolution]
    ) -> MutationResult:
        result = await get_sync_engine().resolve(conflict_id, data, actor_of(principal_of(request)))
        if result.status == "rejected":
            status = 404 if result.reason == "not_found" else 403 if result.reason == "out_of_scope" else 409
            if result.reason == "invalid":
                status = 400
            raise AppError(status, result.detail or result.reason or "rejected", extra={"code": result.reason})
        return result

    @get("/rejected", guards=[staff()], summary="Mutations the server could not apply, kept for people to see")
    async def rejected(self, request: Request[Any, Any, Any]) -> list[RejectedOut]:
        principal = principal_of(request)
        engine = get_sync_engine()
        if principal.role in _SUPERVISORS:
            return await engine.rejected(communes=principal.communes)
        return await engine.rejected(user_id=principal.user_id)


def _check_hash(sha256: str) -> None:
    if not SHA256.match(sha256):
        raise AppError(400, "The file name must be a lower-case hex SHA-256", "Mã băm tệp không hợp lệ.")


ATTACHMENT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp", "image/heic", "application/pdf"})


class AttachmentController(Controller):
    """Resumable uploads: ask what the server holds (HEAD or /status), then PUT chunks from that offset."""

    path = "/api/sync/attachments"
    tags = ["sync"]

    async def _status(self, sha256: str) -> AttachmentStatus:
        _check_hash(sha256)
        received, complete = await anyio.to_thread.run_sync(get_file_store().received, sha256)
        row = await get_sync_engine().attachment_row(sha256)
        state: Literal["unknown", "missing", "partial", "present"]
        if complete:
            state = "present"
        elif received:
            state = "partial"
        else:
            state = "missing" if row is not None else "unknown"
        size = int(row["size"]) if row is not None and row["size"] is not None else (received if complete else None)
        return AttachmentStatus(sha256=sha256, status=state, size=size, received=received)

    @get("/{sha256:str}/status", guards=[staff()], summary="What the server holds of a file")
    async def status(self, sha256: Sha) -> AttachmentStatus:
        return await self._status(sha256)

    @head("/{sha256:str}", guards=[staff()], summary="Upload offset of a file (headers only)")
    async def offset(self, sha256: Sha) -> Response[None]:
        st = await self._status(sha256)
        headers = {"Upload-Offset": str(st.received), "X-Attachment-Status": st.status}
        if st.size is not None:
            headers["Upload-Length"] = str(st.size)
        return Response(None, status_code=200, headers=headers)

    @put(
        "/{sha256:str}",
        guards=[staff()],
        status_code=200,
        request_max_body_size=CHUNK_MAX_BYTES + 1024,
        operation_class=raw_body("application/octet-stream", "The chunk's bytes"),
        summary="Upload one chunk of a file at an offset",
    )
    async def upload(
        self,
        request: Request[Any, Any, Any],
        sha256: Sha,
        offset: Annotated[int, QueryParameter(ge=0, description="Where this chunk starts")],
        total: Annotated[int, QueryParameter(ge=1, description="Size of the whole file")],
        content_type: Annotated[
            str,
            HeaderParameter(
                name="X-Content-Type",
                max_length=100,
                description="Media type of the whole file, read on its first chunk (else application/octet-stream)",
            ),
        ] = "",
    ) -> AttachmentStatus:
        _check_hash(sha256)
        if total > ATTACHMENT_MAX_BYTES:
            raise AppError(413, f"Files are limited to {ATTACHMENT_MAX_BYTES} bytes", _VI["too_large"])
        body = await request.body()
        if content_type not in ATTACHMENT_TYPES:
            content_type = "application/octet-stream"  # photos, signatures and scans only are served as such
        store = get_file_store()
        try:
            # The type counts on the upload's first chunk only: the file keeps the type it began with.
            progress = await anyio.to_thread.run_sync(store.write_chunk, sha256, offset, total, body, content_type)
        except UploadError as exc:
            extra: dict[str, Any] = {"code": exc.code, "received": exc.received}
            raise AppError(exc.status, exc.message, _VI.get(exc.code), extra=extra) from exc
        if progress.complete:
            # A file already present keeps what it was stored with (the engine writes nothing then): a later upload
            # cannot relabel it.
            await get_sync_engine().attachment_completed(
                sha256, progress.received, progress.content_type or content_type
            )
            return AttachmentStatus(sha256=sha256, status="present", size=progress.received, received=progress.received)
        return AttachmentStatus(sha256=sha256, status="partial", size=total, received=progress.received)

    @get("/{sha256:str}", guards=[staff()], summary="Download a file referenced in your communes")
    async def download(self, request: Request[Any, Any, Any], sha256: Sha) -> File:
        _check_hash(sha256)
        principal = principal_of(request)
        path = get_file_store().path(sha256)
        if not path.is_file():
            raise AppError(404, "The file has not arrived yet", "Tệp chưa được tải lên.")
        engine = get_sync_engine()
        if principal.role != "admin" and not await engine.attachment_in_scope(sha256, principal.communes):
            raise AppError(403, "The file belongs to no record in your communes", "Bạn không có quyền xem tệp này.")
        row = await engine.attachment_row(sha256)
        media_type = row["content_type"] if row is not None else "application/octet-stream"
        return File(path=path, media_type=media_type, content_disposition_type="inline")
