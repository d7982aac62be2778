"""The guard alone, around a stand-in app: which requests reach the page, which are refused."""

from __future__ import annotations

import asyncio
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.ui.guard import Guard, allowed_hosts, installed_assets

PORT = 8765
RUNNER = asyncio.Runner()  # one event loop for every call
LOOPBACK = allowed_hosts("127.0.0.1", PORT)


class Inner:
    """A stand-in for Solara's app: records what reaches it."""

    def __init__(self) -> None:
        self.calls: list[str] = []

    async def __call__(self, scope, receive, send) -> None:
        self.calls.append(scope["path"])
        if scope["type"] == "websocket":
            await send({"type": "websocket.accept"})
            return
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"page"})


def _call(
    guard: Guard,
    path: str,
    headers: dict[str, str],
    kind: str = "http",
    method: str = "GET",
    server: tuple[str, int] = ("127.0.0.1", PORT),
) -> int:
    """The status the guard (or the app behind it) answers; 101 for an accepted WebSocket."""
    scope = {
        "type": kind,
        "path": path,
        "method": method,
        "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
        "server": server,
    }
    sent: list[dict] = []

    received: list[int] = []

    async def receive() -> dict:
        if received:  # then the client waits (a response may listen for a disconnect)
            await asyncio.sleep(3600)
        received.append(1)
        return {"type": "websocket.connect"} if kind == "websocket" else {"type": "http.request"}

    async def send(message: dict) -> None:
        sent.append(message)

    RUNNER.run(guard(scope, receive, send))
    first = sent[0]
    if first["type"] == "websocket.accept":
        return 101
    if first["type"] == "websocket.close":
        return 403
    return int(first["status"])


def _guard(host: str = "127.0.0.1", assets: Path | None = None) -> tuple[Guard, Inner]:
    inner = Inner()
    return Guard(inner, allowed_hosts(host, PORT), assets or installed_assets()), inner


@settings(deadline=None)
@given(st.text(max_size=40).filter(lambda h: h.lower() not in LOOPBACK))
def test_any_other_host_never_reaches_the_page(host):
    guard, inner = _guard()
    assert _call(guard, "/", {"host": host}) == 403
    assert _call(guard, "/x", {"host": host, "origin": f"http://{host}"}, "websocket") == 403
    assert inner.calls == []


@settings(deadline=None)
@given(
    st.sampled_from(["127.0.0.1", "localhost", "[::1]"]),
    st.text(max_size=30).filter(lambda o: o.lower() not in {"http://127.0.0.1:8765"}),
)
def test_a_websocket_is_accepted_from_the_page_itself_only(name, origin):
    guard, inner = _guard()
    host = f"{name}:{PORT}"
    assert _call(guard, "/ws", {"host": host, "origin": f"http://{host}"}, "websocket") == 101
    if origin.lower() != f"http://{host}":
        assert _call(guard, "/ws", {"host": host, "origin": origin}, "websocket") == 403
    assert inner.calls == ["/ws"]


def test_a_cross_site_post_is_refused_and_a_same_origin_one_passes():
    guard, inner = _guard()
    host = f"127.0.0.1:{PORT}"
    for site in ("cross-site", "same-site"):
        assert _call(guard, "/api", {"host": host, "sec-fetch-site": site}, method="POST") == 403
    assert inner.calls == []
    same = {"host": host, "origin": f"http://{host}", "sec-fetch-site": "same-origin"}
    assert _call(guard, "/api", same, method="POST") == 200
    assert inner.calls == ["/api"]


def test_on_every_interface_the_address_a_request_came_to_is_its_host():
    guard, _ = _guard("0.0.0.0")
    lan = ("192.0.2.7", PORT)
    assert _call(guard, "/", {"host": f"192.0.2.7:{PORT}"}, server=lan) == 200
    assert _call(guard, "/", {"host": f"localhost:{PORT}"}, server=lan) == 200
    assert _call(guard, "/", {"host": f"rebound.example:{PORT}"}, server=lan) == 403
    assert _call(guard, "/", {"host": f"192.0.2.8:{PORT}"}, server=lan) == 403
    # bound to one address, a loopback name is not that address
    guard, _ = _guard("192.0.2.7")
    assert _call(guard, "/", {"host": f"localhost:{PORT}"}, server=lan) == 403


def test_assets_are_answered_by_the_guard_from_files_only(tmp_path):
    (tmp_path / "pkg@1.0" / "dist").mkdir(parents=True)
    (tmp_path / "pkg@1.0" / "dist" / "main.js").write_text("main")
    (tmp_path / "pkg@1.0" / "__main.js").write_text("bare")
    (tmp_path / "pkg@1.0" / "dist" / "out.js").symlink_to("/etc/hostname")
    guard, inner = _guard(assets=tmp_path)
    host = {"host": f"127.0.0.1:{PORT}"}
    cdn = "/_solara/cdn"
    assert _call(guard, f"{cdn}/pkg@1.0/dist/main.js", host) == 200
    assert _call(guard, f"{cdn}/pkg@1.0", host) == 200  # Solara's name of a package's main file
    for path in ("pkg@1.0/dist", "pkg@1.0/dist/", "", "pkg@1.0/dist/out.js", "../x", "a\0b"):
        assert _call(guard, f"{cdn}/{path}", host) == 404
    assert _call(guard, f"{cdn}/pkg@1.0/dist/main.js", host, method="PUT") == 405
    assert inner.calls == []
    assert sorted(p.name for p in tmp_path.rglob("*")) == [
        "__main.js",
        "dist",
        "main.js",
        "out.js",
        "pkg@1.0",
    ]


def test_the_installed_assets_hold_the_page_s_front_end():
    assets = installed_assets()
    assert (assets / "@widgetti/solara-vuetify3-app@5.1.1/dist").is_dir()
    assert (assets / "requirejs@2.3.6/require.js").is_file()
