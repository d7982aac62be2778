"""The checks in front of the page's server: an ASGI middleware around Solara's app.

Solara's server, as configured, serves any ``Host:`` (DNS rebinding), accepts the
kernel WebSocket from any ``Origin:`` (any website the user visits could drive the
page), and its asset handler writes to, deletes from (``shutil.rmtree`` on a
directory) and fetches into the asset cache on request. None of that can be turned
off by Solara's settings, so :class:`Guard` stands in front of it:

- a request whose ``Host:`` is not the address the page was started on (or a
  loopback alias of it, when it listens on loopback) gets 403;
- a request carrying a foreign ``Origin:`` gets 403, a WebSocket without one too,
  and so does a state-changing request a browser marks as cross-site;
- ``/_solara/cdn/...`` is answered here, read-only, from the files installed by
  the ``solara-assets`` package: a file is sent, anything else (a directory, a
  missing file, a path outside) is a 404. Nothing is written, deleted or fetched.
"""

from __future__ import annotations

import contextlib
import functools
import socket
import sys
from collections.abc import Iterable
from importlib import metadata
from pathlib import Path

from starlette.datastructures import Headers
from starlette.responses import FileResponse, PlainTextResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

CDN = "/_solara/cdn"
LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1"})
WILDCARD = frozenset({"0.0.0.0", "::", ""})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _netloc(name: str, port: int) -> set[str]:
    """How a browser writes ``name`` and ``port`` in ``Host:`` (bare name on port 80)."""
    name = name.lower().strip("[]")
    shown = f"[{name}]" if ":" in name else name
    return {f"{shown}:{port}", shown} if port == 80 else {f"{shown}:{port}"}


def _is_loopback(host: str) -> bool:
    return host in LOOPBACK or host.startswith("127.")


def _machine_names() -> set[str]:
    """The names and addresses of this machine (for a page listening on every interface)."""
    names = {socket.gethostname(), socket.getfqdn()}
    with contextlib.suppress(OSError):  # a host name that does not resolve: its name alone
        names |= {str(info[4][0]) for info in socket.getaddrinfo(socket.gethostname(), None)}
    return {n for n in names if n}


def allowed_hosts(host: str, port: int) -> frozenset[str]:
    """The ``Host:`` values the page answers: the address it was started on, and aliases.

    On loopback that is 127.0.0.1, localhost and [::1] with the port; listening on every
    interface (``--host 0.0.0.0``) adds this machine's names and addresses. The address
    a connection arrived on is accepted too (see :class:`Guard`).
    """
    names = {host}
    if _is_loopback(host) or host in WILDCARD:
        names |= LOOPBACK
    if host in WILDCARD:
        names |= _machine_names()
    return frozenset(n for name in names if name not in WILDCARD for n in _netloc(name, port))


@functools.cache
def installed_assets() -> Path:
    """The front-end files of the installed ``solara-assets`` package (``.../share/solara/cdn``)."""
    try:
        dist = metadata.distribution("solara-assets")
    except metadata.PackageNotFoundError:
        return Path(sys.prefix) / "share" / "solara" / "cdn"
    for item in dist.files or []:
        parts = item.parts
        for k in range(len(parts) - 2):
            if parts[k : k + 3] == ("share", "solara", "cdn"):
                return Path(str(dist.locate_file(Path(*parts[: k + 3])))).resolve()
    return Path(sys.prefix) / "share" / "solara" / "cdn"


class Guard:
    """An ASGI middleware: refuse foreign hosts and origins, serve assets read-only."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str], assets: Path) -> None:
        self.app = app
        self.hosts = frozenset(h.lower() for h in hosts)
        self.assets = assets.resolve()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check one request, then answer it here or pass it to the page."""
        if scope["type"] not in ("http", "websocket"):  # lifespan
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        hosts = self.hosts | self._arrived_on(scope)
        why = self._refusal(scope, headers, hosts)
        if why:
            await _refuse(scope, receive, send, why)
        elif scope["type"] == "http" and (
            scope["path"] == CDN or scope["path"].startswith(CDN + "/")
        ):
            await self._asset(scope)(scope, receive, send)
        else:
            await self.app(scope, receive, send)

    @staticmethod
    def _arrived_on(scope: Scope) -> set[str]:
        """The local address the connection came in on, as a ``Host:`` would name it."""
        server = scope.get("server")
        if not server or server[1] is None:
            return set()
        return _netloc(str(server[0]), int(server[1]))

    @staticmethod
    def _refusal(scope: Scope, headers: Headers, hosts: frozenset[str]) -> str:
        """Why the request is refused ('' when it is not)."""
        host = headers.get("host", "").lower()
        if host not in hosts:
            return f"unknown host: this page answers only {sorted(hosts)[0]}"  # never echoed
        origin = headers.get("origin")
        origins = {f"http://{h}" for h in hosts}
        if origin is not None and origin.lower() not in origins:
            return "foreign origin: this page takes requests from itself only"
        if scope["type"] == "websocket" and origin is None:
            return "a WebSocket without an origin: this page takes requests from itself only"
        if scope["type"] == "http" and scope["method"] not in SAFE_METHODS:
            site = headers.get("sec-fetch-site", "same-origin")
            if site not in ("same-origin", "none"):
                return "a cross-site request: this page takes requests from itself only"
        return ""

    def _asset(self, scope: Scope) -> Response:
        """A front-end file, read-only; 404 for anything that is not an installed file."""
        if scope["method"] not in ("GET", "HEAD"):
            return PlainTextResponse("method not allowed", status_code=405)
        relative = scope["path"][len(CDN) :].lstrip("/")
        if relative and "/" not in relative:  # a bare package: Solara's name for its main file
            relative += "/__main.js"
        try:
            target = (self.assets / relative).resolve()
            found = relative != "" and target.is_relative_to(self.assets) and target.is_file()
        except (OSError, ValueError):  # a NUL byte, a name too long, a loop
            found = False
        if not found:
            return PlainTextResponse("not found", status_code=404)
        return FileResponse(target)


async def _refuse(scope: Scope, receive: Receive, send: Send, why: str) -> None:
    """Answer 403 (a WebSocket is closed before its handshake completes: HTTP 403)."""
    if scope["type"] == "websocket":
        await receive()  # websocket.connect
        await send({"type": "websocket.close", "code": 1008, "reason": why[:120]})
        return
    await PlainTextResponse(why, status_code=403)(scope, receive, send)


__all__ = ["Guard", "allowed_hosts", "installed_assets"]
