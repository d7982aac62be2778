"""``negsim ui`` attacked over raw HTTP and WebSocket, and stopped by SIGTERM.

A real ``negsim ui`` is started. Solara's own asset cache is pointed (by its
``SOLARA_ASSETS_PROXY_CACHE_DIR``) at a scratch copy and its public CDN (by
``SOLARA_ASSETS_CDN``) at a listener here that counts connections: were Solara's asset
handler ever reached, it would delete from the copy or fetch from the listener, and the
installed assets are never at risk.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from sim.ui.guard import installed_assets

ROOT = Path(__file__).resolve().parents[2]
NEGSIM = Path(sys.executable).parent / "negsim"
APP = "@widgetti/solara-vuetify3-app@5.1.1"
MAIN_JS = f"/_solara/cdn/{APP}/dist/solara-vuetify-app8.min.js"
WS_PATH = "/jupyter/api/kernels/k0/channels?session_id=s0"


def _free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])


def _request(
    port: int, path: str, headers: dict[str, str], method: str = "GET", addr: str = "127.0.0.1"
) -> tuple[int, bytes]:
    """A raw HTTP/1.1 request; the status and the body (headers as given, nothing added)."""
    lines = [f"{method} {path} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection((addr, port), timeout=20) as s:
        s.sendall(("\r\n".join([*lines, "Connection: close", "", ""])).encode())
        data = b""
        while chunk := s.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    return int(head.split()[1]), body


def _websocket(port: int, host: str, origin: str | None) -> int:
    """The status of a WebSocket handshake to the page's kernel channel."""
    headers = {
        "Host": host,
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version": "13",
    }
    if origin is not None:
        headers["Origin"] = origin
    lines = [f"GET {WS_PATH} HTTP/1.1", *(f"{k}: {v}" for k, v in headers.items())]
    with socket.create_connection(("127.0.0.1", port), timeout=20) as s:
        s.sendall(("\r\n".join([*lines, "", ""])).encode())
        status = s.recv(4096).split(b"\r\n")[0]
    return int(status.split()[1])


class Listener:
    """A TCP listener that counts the connections made to it (a stand-in public CDN)."""

    def __init__(self) -> None:
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(0.2)
        self.port = int(self.sock.getsockname()[1])
        self.connections = 0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self.sock.accept()
            except TimeoutError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 4\r\n\r\nevil")

    def close(self) -> None:
        self.stop.set()
        self.thread.join()
        self.sock.close()


def _start(args: list[str], env: dict[str, str], port: int, addr: str) -> subprocess.Popen[bytes]:
    proc = subprocess.Popen(
        [str(NEGSIM), "ui", "scenarios/ukraine_2025.yaml", "--port", str(port), *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    deadline = time.monotonic() + 90
    while True:
        with contextlib.suppress(OSError):
            if _request(port, "/", {"Host": f"{addr}:{port}"}, addr=addr)[0] == 200:
                return proc
        if proc.poll() is not None or time.monotonic() > deadline:
            _end(proc)
            pytest.fail("negsim ui did not start")
        time.sleep(0.3)


def _end(proc: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@pytest.fixture(scope="module")
def cdn() -> Iterator[Listener]:
    listener = Listener()
    yield listener
    listener.close()


@pytest.fixture(scope="module")
def cache(tmp_path_factory) -> Path:
    """A scratch stand-in for Solara's asset cache, holding the attacked directory."""
    root = tmp_path_factory.mktemp("cache")
    (root / APP / "dist").mkdir(parents=True)
    (root / APP / "dist" / "solara-vuetify-app8.min.js").write_text("// copy")
    return root


@pytest.fixture(scope="module")
def page(cdn, cache) -> Iterator[int]:
    port = _free_port()
    env = {
        **os.environ,
        "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache),
        "SOLARA_ASSETS_CDN": f"http://127.0.0.1:{cdn.port}/",
    }
    proc = _start([], env, port, "127.0.0.1")
    yield port
    _end(proc)


def test_by_default_the_page_listens_on_loopback_only(page):
    port = f"{page:04X}"
    listening = [
        line.split()[1]
        for table in ("/proc/net/tcp", "/proc/net/tcp6")
        for line in Path(table).read_text().splitlines()[1:]
        if line.split()[1].endswith(f":{port}") and line.split()[3] == "0A"
    ]
    assert listening == [f"0100007F:{port}"]


def test_a_foreign_origin_is_refused_on_the_websocket(page):
    host = f"127.0.0.1:{page}"
    assert _websocket(page, host, "http://attacker.example") == 403
    assert _websocket(page, host, "null") == 403
    assert _websocket(page, host, f"http://attacker.example:{page}") == 403
    assert _websocket(page, host, None) == 403
    assert _websocket(page, host, f"http://{host}") == 101  # the page itself
    assert _websocket(page, f"localhost:{page}", f"http://localhost:{page}") == 101


def test_a_foreign_origin_is_refused_on_state_changing_requests(page):
    close = "/_solara/api/close/k0?session_id=s0"
    host = {"Host": f"127.0.0.1:{page}", "Content-Length": "0"}
    assert _request(page, close, {**host, "Origin": "http://attacker.example"}, "POST")[0] == 403
    assert _request(page, close, {**host, "Sec-Fetch-Site": "cross-site"}, "POST")[0] == 403
    assert _request(page, "/", {**host, "Origin": "http://attacker.example"})[0] == 403
    assert _request(page, close, {**host, "Origin": f"http://127.0.0.1:{page}"}, "POST")[0] != 403


@pytest.mark.parametrize(
    "host", ["attacker.example", "attacker.example:{port}", "127.0.0.1:1", "127.0.0.1", ""]
)
def test_a_foreign_host_is_refused(page, host):
    status, body = _request(page, "/", {"Host": host.format(port=page)})
    assert status == 403 and b"solara" not in body.lower()
    assert _websocket(page, host.format(port=page), f"http://{host.format(port=page)}") == 403


def test_loopback_aliases_of_the_address_are_served(page):
    for host in (f"127.0.0.1:{page}", f"localhost:{page}", f"LOCALHOST:{page}", f"[::1]:{page}"):
        assert _request(page, "/", {"Host": host})[0] == 200


def test_a_directory_of_the_asset_cache_is_never_deleted(page, cache):
    host = {"Host": f"127.0.0.1:{page}"}
    installed = installed_assets() / APP
    for path in (f"/_solara/cdn/{APP}", f"/_solara/cdn/{APP}/", f"/_solara/cdn/{APP}/dist"):
        assert _request(page, path, host)[0] == 404
    assert installed.is_dir() and (cache / APP / "dist").is_dir()
    status, body = _request(page, MAIN_JS, host)
    assert (
        status == 200 and body == (installed / "dist" / "solara-vuetify-app8.min.js").read_bytes()
    )


def test_a_missing_asset_is_a_404_and_nothing_is_fetched(page, cdn, cache):
    host = {"Host": f"127.0.0.1:{page}"}
    missing = [
        "/_solara/cdn/left-pad@1.3.0/index.js",
        "/_solara/cdn/left-pad@1.3.0",
        "/_solara/cdn/requirejs@2.3.6/missing.js",
        "/_solara/cdn/../../../../etc/passwd",
        "/_solara/cdn/%2e%2e/%2e%2e/pyvenv.cfg",
    ]
    for path in missing:
        assert _request(page, path, host)[0] == 404
    assert _request(page, "/_solara/cdn/requirejs@2.3.6/require.js", host)[0] == 200
    assert _request(page, MAIN_JS, host, "DELETE")[0] == 405
    time.sleep(0.5)
    assert cdn.connections == 0  # no request left this process for the "CDN"
    files = [p.relative_to(cache).as_posix() for p in cache.rglob("*") if not p.is_dir()]
    assert files == [f"{APP}/dist/solara-vuetify-app8.min.js"]  # nothing written to a cache


def _children(pid: int) -> list[int]:
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            fields = stat.read_text().rsplit(")", 1)[1].split()
            if int(fields[1]) == pid:
                found.append(int(stat.parent.name))
    return found


def test_sigterm_to_the_command_alone_closes_the_port(cdn):
    """--host 127.0.0.2: served there and not on 127.0.0.1; SIGTERM to the pid (not the group)."""
    addr = "127.0.0.2"
    port = _free_port(addr)
    proc = _start(["--host", addr], dict(os.environ), port, addr)
    try:
        assert _request(port, "/", {"Host": f"{addr}:{port}"}, addr=addr)[0] == 200
        with pytest.raises(ConnectionRefusedError):
            _request(port, "/", {"Host": f"127.0.0.1:{port}"})
        children = _children(proc.pid)
        os.kill(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            try:
                socket.create_connection((addr, port), timeout=1).close()
            except ConnectionRefusedError:
                break
            time.sleep(0.1)
        else:
            pytest.fail("the port still answers 5 s after SIGTERM")
        assert proc.wait(timeout=5) == 0
        assert [c for c in children if Path(f"/proc/{c}").exists()] == []
    finally:
        _end(proc)
