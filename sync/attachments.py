"""Content-addressed file storage with resumable chunked uploads (blocking I/O: run it in a thread).

A file under upload lives in `partial/<sha256>.part`; its size on disk is what the server has received,
so a crash loses at most the chunk being written, and a client asks for the offset before resuming.
The media type the upload began with (its first chunk's) is kept beside it in `partial/<sha256>.type`:
later chunks cannot change it. On the last chunk the whole file is hashed (in 1 MiB blocks, bounded
memory) and moved into place atomically; a hash mismatch discards it.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

SHA256 = re.compile(r"^[0-9a-f]{64}$")
_BLOCK = 1 << 20
DEFAULT_TYPE = "application/octet-stream"


class UploadError(Exception):
    def __init__(self, status: int, code: str, message: str, received: int = 0) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.received = received


@dataclass(frozen=True)
class Progress:
    received: int
    complete: bool
    # On the chunk that completed the file: the media type its first chunk declared. None otherwise, and when the
    # file was complete already.
    content_type: str | None = None


class FileStore:
    def __init__(self, root: Path, max_bytes: int, chunk_max_bytes: int) -> None:
        self.root = root
        self.max_bytes = max_bytes
        self.chunk_max_bytes = chunk_max_bytes

    def path(self, sha256: str) -> Path:
        return self.root / sha256[:2] / sha256

    def _partial(self, sha256: str) -> Path:
        return self.root / "partial" / f"{sha256}.part"

    def _type_file(self, sha256: str) -> Path:
        return self.root / "partial" / f"{sha256}.type"

    def received(self, sha256: str) -> tuple[int, bool]:
        """Bytes held so far, and whether the file is complete and verified."""
        final = self.path(sha256)
        if final.is_file():
            return final.stat().st_size, True
        partial = self._partial(sha256)
        return (partial.stat().st_size if partial.is_file() else 0), False

    def write_chunk(
        self, sha256: str, offset: int, total: int, data: bytes, content_type: str = DEFAULT_TYPE
    ) -> Progress:
        """Append a chunk at `offset`. `content_type` counts only on the first chunk of an upload."""
        if not SHA256.match(sha256):
            raise UploadError(400, "bad_hash", "the file name must be a lower-case hex SHA-256")
        if total > self.max_bytes:
            raise UploadError(413, "too_large", f"files are limited to {self.max_bytes} bytes")
        if len(data) > self.chunk_max_bytes:
            raise UploadError(413, "chunk_too_large", f"chunks are limited to {self.chunk_max_bytes} bytes")
        if offset < 0 or total < 0 or offset + len(data) > total:
            raise UploadError(400, "bad_range", "offset + chunk length exceeds the declared total")
        final = self.path(sha256)
        if final.is_file():
            return Progress(received=final.stat().st_size, complete=True)
        partial = self._partial(sha256)
        partial.parent.mkdir(parents=True, exist_ok=True)
        with open(partial, "ab") as handle:
            # One writer per file at a time, across processes.
            fcntl.flock(handle, fcntl.LOCK_EX)
            size = os.fstat(handle.fileno()).st_size
            if offset != size:
                raise UploadError(409, "offset_mismatch", f"the server holds {size} bytes; resume there", size)
            type_file = self._type_file(sha256)
            if size == 0:  # the upload begins: its media type is decided now, before any byte is kept
                temporary = type_file.with_suffix(".type-new")
                temporary.write_text(content_type)
                os.replace(temporary, type_file)
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
            size += len(data)
            if size < total:
                return Progress(received=size, complete=False)
            digest = hashlib.sha256()
            with open(partial, "rb") as reader:
                while block := reader.read(_BLOCK):
                    digest.update(block)
            if digest.hexdigest() != sha256:
                partial.unlink(missing_ok=True)
                type_file.unlink(missing_ok=True)
                raise UploadError(422, "hash_mismatch", "the file's SHA-256 does not match; upload it again")
            try:
                began_as = type_file.read_text() or DEFAULT_TYPE
            except FileNotFoundError:  # an upload begun before types were kept
                began_as = content_type
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(partial, final)
            type_file.unlink(missing_ok=True)
        return Progress(received=size, complete=True, content_type=began_as)
