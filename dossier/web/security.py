"""Who may drive the app: the Host and Origin a request names, the server folders the app may
read, and how often one client may try a password.

A page on another site must not be able to use a Dossier that listens on 127.0.0.1 without
--auth. By DNS rebinding such a page can reach the port under its own name
(``Host: evil.example``), so only the names the app is served under are answered; and a
browser request from another origin (``Origin: https://evil.example``) is refused, with no
CORS header that would let the page read a reply.
"""

from __future__ import annotations

import ipaddress
import socket
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from corpus.errors import UsageError

LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1", "::1"})
ALL_INTERFACES = frozenset({"0.0.0.0", "::", ""})
Scope = dict[str, Any]
Asgi = Callable[..., Any]


def allowed_hosts(bind: str, names: Iterable[str] = ()) -> frozenset[str]:
    """The host names requests may name: the bound address; the loopback names when bound
    to loopback or to all interfaces; this machine's names when bound to all interfaces;
    and ``names`` (``dossier ui --allow-host``), lower-cased, without ports."""
    bind = bind.strip("[]").lower()
    hosts = {bind, *(host_name(n) for n in names)}
    if bind in ALL_INTERFACES or _is_loopback(bind):
        hosts |= LOOPBACK_NAMES
    if bind in ALL_INTERFACES:
        hosts |= {socket.gethostname().lower(), socket.getfqdn().lower()}
    return frozenset(h for h in hosts if h)


def host_name(value: str) -> str:
    """'Example.org:7860' -> 'example.org'; '[::1]:7860' -> '::1'."""
    return (urlsplit(f"//{value.strip()}").hostname or "").lower()


def _ip(name: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(name)
    except ValueError:
        return None


def _is_loopback(name: str) -> bool:
    ip = _ip(name)
    return name == "localhost" or (ip is not None and ip.is_loopback)


@dataclass(frozen=True)
class HostPolicy:
    """Which Host and Origin headers are answered."""

    hosts: frozenset[str]
    names: frozenset[str] = frozenset()  # given with --allow-host: origins too
    all_interfaces: bool = False

    @classmethod
    def for_bind(cls, bind: str, names: Iterable[str] = ()) -> HostPolicy:
        given = frozenset(host_name(n) for n in names) - {""}
        return cls(allowed_hosts(bind, given), given, bind.strip("[]") in ALL_INTERFACES)

    def host_ok(self, host: str) -> bool:
        name = host_name(host)
        # An address typed as digits cannot be rebound to another site's name: bound to all
        # interfaces, any of this machine's addresses may be named.
        return name in self.hosts or (self.all_interfaces and _ip(name) is not None)

    def origin_ok(self, origin: str, host: str) -> bool:
        """Same origin as the request (scheme aside: a TLS proxy may sit in front), or a
        name given with --allow-host. Never 'null' (a sandboxed or local file page), nor
        another port of this host (another local web app)."""
        parts = urlsplit(origin)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            return False
        same = parts.netloc.lower() == host.strip().lower()
        return same or (parts.hostname or "").lower() in self.names


class LoginThrottle:
    """Exponential back-off per client after failed logins: the first ``free`` failures
    cost nothing; after that each failure doubles the wait before the next try (1 s, 2 s,
    4 s, ... up to ``most``), and the right password is refused too while a client must
    wait. A successful login clears the client's count."""

    def __init__(self, free: int = 5, base: float = 1.0, most: float = 300.0,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.free, self.base, self.most, self.clock = free, base, most, clock
        self._failures: dict[str, tuple[int, float]] = {}  # client -> (count, last failure)
        self._lock = threading.Lock()

    def delay(self, failures: int) -> float:
        if failures < self.free:
            return 0.0
        return float(min(self.base * 2 ** (failures - self.free), self.most))

    def wait(self, client: str) -> float:
        """Seconds ``client`` must still wait before it may try again (0: now)."""
        with self._lock:
            count, last = self._failures.get(client, (0, 0.0))
        return max(0.0, last + self.delay(count) - self.clock())

    def failed(self, client: str) -> None:
        now = self.clock()
        with self._lock:
            count, _ = self._failures.get(client, (0, 0.0))
            self._failures[client] = (count + 1, now)
            if len(self._failures) > 10_000:  # forget clients whose wait is long over
                stale = [c for c, (_, t) in self._failures.items() if now - t > 2 * self.most]
                for c in stale:
                    del self._failures[c]

    def succeeded(self, client: str) -> None:
        with self._lock:
            self._failures.pop(client, None)


class Guard:
    """ASGI middleware in front of the whole app: 421 for a Host the app is not served
    under, 403 for a request from another origin, 429 for a login try too soon after
    failed ones. It runs before Gradio, so nothing Gradio adds reaches a refused client."""

    def __init__(self, app: Asgi, policy: HostPolicy, throttle: LoginThrottle | None) -> None:
        self.app, self.policy, self.throttle = app, policy, throttle

    async def __call__(self, scope: Scope, receive: Asgi, send: Asgi) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1")
                   for k, v in scope.get("headers", [])}  # fmt: skip
        host, origin = headers.get("host", ""), headers.get("origin")
        if not self.policy.host_ok(host):
            await _refuse(scope, send, 421, "This Dossier is not served under that host name.")
            return
        if origin is not None and not self.policy.origin_ok(origin, host):
            await _refuse(scope, send, 403, "Requests from other sites are refused.")
            return
        if self.throttle is not None and _is_login(scope):
            await self._login(self.throttle, scope, receive, send)
            return
        await self.app(scope, receive, send)

    async def _login(self, throttle: LoginThrottle, scope: Scope, receive: Asgi,
                     send: Asgi) -> None:  # fmt: skip
        client = (scope.get("client") or ("?", 0))[0]
        wait = throttle.wait(client)
        if wait > 0:
            retry = str(int(wait) + 1)
            await _refuse(scope, send, 429, f"Too many failed logins; try again in {retry} s.",
                          [(b"retry-after", retry.encode())])  # fmt: skip
            return
        status: list[int] = []

        async def watch(message: dict[str, Any]) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watch)
        if status and status[0] < 300:
            throttle.succeeded(client)
        elif status and status[0] in (400, 401, 403):
            throttle.failed(client)


def _is_login(scope: Scope) -> bool:
    return (
        scope["type"] == "http"
        and scope.get("method") == "POST"
        and (str(scope.get("path", "")).rstrip("/").endswith("/login"))
    )


async def _refuse(scope: Scope, send: Asgi, status: int, text: str,
                  extra: Sequence[tuple[bytes, bytes]] = ()) -> None:  # fmt: skip
    if scope["type"] == "websocket":
        await send({"type": "websocket.close", "code": 1008})
        return
    body = text.encode()
    headers = [(b"content-type", b"text/plain; charset=utf-8"),
               (b"content-length", str(len(body)).encode()), *extra]  # fmt: skip
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


def check_folder(text: str, roots: Sequence[Path]) -> Path:
    """The file or folder ``text`` names, if it lies under one of ``roots`` once links are
    resolved (a link inside a root that points elsewhere is refused); UsageError if not."""
    given = (text or "").strip()
    if not given:
        raise UsageError("Enter a folder on the server to ingest.")
    path = Path(given).expanduser().resolve()
    allowed = [r.expanduser().resolve() for r in roots]
    if not any(path.is_relative_to(r) for r in allowed):
        where = ", ".join(str(r) for r in allowed) or "none"
        raise UsageError(f"{given}: the app reads only folders under {where}; to allow "
                         "another, start it with 'dossier ui --allow-folder PATH'")  # fmt: skip
    if not path.exists():
        raise UsageError(f"{given}: no such file or folder on the server")
    return path
