"""Serve the page in this process: Solara's app behind :class:`sim.ui.guard.Guard`, on uvicorn.

One process, no child: SIGINT and SIGTERM stop uvicorn, which closes the open
WebSockets (after at most :data:`GRACE` seconds), shuts Solara's kernels down and
frees the port.
"""

from __future__ import annotations

import os
import socket
import warnings

from sim.ui.guard import CDN, Guard, allowed_hosts, installed_assets

#: Seconds uvicorn waits for open connections (the page's WebSocket) when stopped.
GRACE = 2

#: Solara's settings for the page: production mode, offline, no telemetry, assets proxied.
SOLARA_ENV = {
    "SOLARA_APP": "sim.ui.app",
    "SOLARA_MODE": "production",
    "SOLARA_CHECK_VERSION": "False",
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_PROXY": "True",
}


def bind(host: str, port: int) -> socket.socket:
    """The listening socket of the page; an OSError naming ``host:port`` when it cannot be had."""
    where = f"{host}:{port}"
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        sock = socket.socket(family, kind, proto)
    except OSError as exc:  # socket.gaierror: a host that does not resolve
        raise OSError(exc.errno, exc.strerror or str(exc), where) from None
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:  # the port is taken, the address is not this machine's
        sock.close()
        raise OSError(exc.errno, exc.strerror, where) from None
    return sock


def serve(file: str | None, sock: socket.socket, host: str, port: int) -> None:
    """Serve the page on ``sock`` (bound to ``host:port``) until SIGINT or SIGTERM."""
    os.environ.update({**SOLARA_ENV, "SERVER_NAME": host, "SERVER_PORT": str(port)})
    if file:
        os.environ["NEGSIM_SCENARIO"] = file
    import uvicorn
    from solara.server import settings
    from solara.server.starlette import app
    from starlette.routing import Mount

    # Solara warns on every page load that a plain-http cookie cannot be samesite=none.
    warnings.filterwarnings("ignore", message="Cookies with samesite=none", category=UserWarning)
    settings.main.mode = "production"
    settings.telemetry.mixpanel_enable = False
    # Solara's own asset handler writes, deletes and fetches: it is never reached.
    app.router.routes = [
        r for r in app.router.routes if not (isinstance(r, Mount) and r.path == CDN)
    ]
    guarded = Guard(app, allowed_hosts(host, port), installed_assets())
    config = uvicorn.Config(
        guarded,
        host=host,
        port=port,
        log_level="warning",
        access_log=False,
        loop="asyncio",
        lifespan="on",
        timeout_graceful_shutdown=GRACE,
    )
    uvicorn.Server(config).run(sockets=[sock])


__all__ = ["GRACE", "bind", "serve"]
