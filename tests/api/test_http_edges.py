"""HTTP at the edges, against the real server (`gandan serve`, granian) with a raw keep-alive client.

An answer sent before the request body was read (413, a guard's 401) must leave the connection usable or say
`Connection: close`; a second server on a busy port must refuse to start.
"""

from __future__ import annotations

import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.servers import ServerProcess, running_server, server_env


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    """The app served by granian on a free port, on the test database (migrated by the session)."""
    tmp = tmp_path_factory.mktemp("http-edges")
    with running_server(server_env(tmp / "var"), tmp / "server.log") as server:
        yield server


class RawConnection:
    """One keep-alive HTTP/1.1 connection, written and read by hand: nothing reconnects behind our back."""

    def __init__(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=15)
        self.reader = self.sock.makefile("rb")

    def close(self) -> None:
        self.reader.close()
        self.sock.close()

    def send(self, data: bytes) -> None:
        self.sock.sendall(data)

    def request(self, method: str, path: str, headers: dict[str, str] | None = None, body: bytes = b"") -> None:
        lines = [f"{method} {path} HTTP/1.1", "Host: 127.0.0.1"]
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        self.send(("\r\n".join(lines) + "\r\n\r\n").encode() + body)

    def response(self) -> tuple[int, dict[str, str], bytes]:
        status_line = self.reader.readline()
        assert status_line.startswith(b"HTTP/1.1 "), status_line
        status = int(status_line.split()[1])
        headers: dict[str, str] = {}
        while (line := self.reader.readline()) not in (b"\r\n", b""):
            name, _, value = line.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        body = self.reader.read(int(headers.get("content-length", "0")))
        return status, headers, body

    def closed_by_server(self) -> bool:
        """True when the server has closed its side: the next read finds the end of the stream."""
        try:
            return self.reader.read(1) == b""
        except ConnectionResetError:
            return True


@pytest.fixture
def connection(served: ServerProcess) -> Iterator[RawConnection]:
    conn = RawConnection(served.port)
    yield conn
    conn.close()


def _health_on_a_new_connection(port: int) -> int:
    conn = RawConnection(port)
    try:
        conn.request("GET", "/api/health")
        return conn.response()[0]
    finally:
        conn.close()


def _next_request_works_or_was_refused_openly(port: int, connection: RawConnection, headers: dict[str, str]) -> None:
    """After an early answer: either it said `Connection: close` (and the server closed), or this connection
    still carries the next request."""
    if headers.get("connection", "").lower() == "close":
        assert connection.closed_by_server()
        assert _health_on_a_new_connection(port) == 200
    else:
        connection.request("GET", "/api/health")
        assert connection.response()[0] == 200


def test_a_huge_announced_body_gets_413_and_connection_close(served: ServerProcess, connection: RawConnection) -> None:
    """Announced far beyond any limit: answered at once, without reading, and the answer says it closes."""
    connection.request(
        "POST", "/api/auth/login", {"Content-Type": "application/json", "Content-Length": str(64 * 1_048_576)}
    )
    status, headers, body = connection.response()
    assert status == 413 and b"detail_vi" in body
    assert headers.get("connection", "").lower() == "close"
    assert connection.closed_by_server()
    assert _health_on_a_new_connection(served.port) == 200


@pytest.mark.parametrize("framing", ["content-length", "chunked"])
def test_after_a_413_the_connection_works_or_says_close(
    served: ServerProcess, connection: RawConnection, framing: str
) -> None:
    """A 2 MiB body sent whole, as http.client, curl and browsers send it, then the answer read."""
    body = b'{"username": "' + b"a" * 2_000_000 + b'"}'
    if framing == "chunked":
        step = 65_536
        chunks = [body[i : i + step] for i in range(0, len(body), step)]
        wire = b"".join(b"%x\r\n%s\r\n" % (len(c), c) for c in chunks) + b"0\r\n\r\n"
        headers = {"Content-Type": "application/json", "Transfer-Encoding": "chunked"}
    else:
        wire = body
        headers = {"Content-Type": "application/json", "Content-Length": str(len(body))}
    connection.request("POST", "/api/auth/login", headers, wire)
    status, answer_headers, answer = connection.response()
    assert status == 413 and b"detail_vi" in answer
    _next_request_works_or_was_refused_openly(served.port, connection, answer_headers)


def test_an_early_answer_to_a_small_body_keeps_the_connection(connection: RawConnection) -> None:
    """A guard refuses before the body is read: the server reads the rest, and the connection lives on."""
    body = b'{"mutations": "' + b"x" * 300_000 + b'"}'
    for _ in range(2):
        connection.request(
            "POST", "/api/sync/push", {"Content-Type": "application/json", "Content-Length": str(len(body))}, body
        )
        status, headers, _ = connection.response()
        assert status == 401
        assert headers.get("connection", "").lower() != "close"
    connection.request("GET", "/api/health")
    assert connection.response()[0] == 200


def test_head_is_answered_like_get_without_a_body(connection: RawConnection) -> None:
    connection.request("HEAD", "/api/health")
    status, _, _ = connection.response()  # reads no body: a HEAD answer has none
    assert status == 200
    connection.request("GET", "/api/health")  # the same connection: no stray body bytes in the way
    status, _, body = connection.response()
    assert status == 200 and b'"status":"ok"' in body


def test_a_second_server_on_a_busy_port_refuses_to_start(served: ServerProcess, tmp_path: Path) -> None:
    second = ServerProcess(env=dict(served.env, GANDAN_VAR_DIR=str(tmp_path / "var")), log=tmp_path / "second.log")
    try:
        returncode = second.launch().wait(timeout=60)
    except subprocess.TimeoutExpired:
        returncode = None  # it started: the failure this test is here to catch
    finally:
        second.stop()
    assert returncode not in (None, 0), second.log_tail()
    assert f"127.0.0.1:{served.port} is already in use" in second.log_tail()
    assert served.process is not None and served.process.poll() is None  # the first one serves on
    assert _health_on_a_new_connection(served.port) == 200
