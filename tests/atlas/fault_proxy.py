"""A fault-injecting HTTP proxy in front of the real Atlas, for the delivery fault tests.

Everything it does not break it forwards to the real server unchanged, so what reaches Atlas
is the real upsert, the real lineage and the real errors. Faults are scheduled per request
number: ``plan(statuses={1: 503, 2: 500})`` answers the first two requests itself; ``resets``
closes the connection without an answer (an RST); ``stall_seconds`` holds requests before
forwarding them; ``unauthorized_after`` answers 401 from that request on (a token that
expired). Loopback only, bounded by the test that starts it.
"""

from __future__ import annotations

import socket
import struct
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import requests


@dataclass
class FaultPlan:
    statuses: dict[int, int] = field(default_factory=dict)
    """Request number (1-based) -> status the proxy answers instead of forwarding."""
    resets: set[int] = field(default_factory=set)
    """Request numbers whose connection is reset without an answer."""
    stall_seconds: float = 0.0
    """Every request waits this long before it is forwarded."""
    unauthorized_after: int | None = None
    """From this request number on, 401 as for an expired token."""
    seen: int = 0
    injected: list[str] = field(default_factory=list)

    def fault_for(self, number: int) -> str | None:
        if self.unauthorized_after is not None and number >= self.unauthorized_after:
            return "401"
        if number in self.resets:
            return "reset"
        status = self.statuses.get(number)
        return str(status) if status else None


class _Proxy(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, upstream: str, plan: FaultPlan) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.upstream = upstream.rstrip("/")
        self.plan = plan
        self.lock = threading.Lock()


class _Handler(BaseHTTPRequestHandler):
    server: _Proxy

    def log_message(self, format: str, *args: object) -> None:  # quiet test output
        pass

    def _handle(self) -> None:
        with self.server.lock:
            self.server.plan.seen += 1
            number = self.server.plan.seen
            fault = self.server.plan.fault_for(number)
            if fault:
                self.server.plan.injected.append(f"{number}:{fault}")
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            return
        if fault:
            payload = b'{"errorMessage": "injected by the fault proxy"}'
            self.send_response(int(fault))
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)
            return
        if self.server.plan.stall_seconds:
            time.sleep(self.server.plan.stall_seconds)
        headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
        try:
            answer = requests.request(
                self.command,
                self.server.upstream + self.path,
                headers=headers,
                data=body,
                timeout=300,
                allow_redirects=False,
            )
        except requests.RequestException:
            self.send_response(502)
            self.end_headers()
            return
        self.send_response(answer.status_code)
        skipped = ("transfer-encoding", "content-encoding", "connection", "content-length")
        for key, value in answer.headers.items():
            if key.lower() not in skipped:
                self.send_header(key, value)
        content = answer.content
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        self.wfile.write(content)

    do_GET = do_POST = do_PUT = do_DELETE = _handle


@contextmanager
def fault_proxy(upstream: str, plan: FaultPlan) -> Iterator[str]:
    """Serve the proxy on a loopback port; yields its base URL."""
    server = _Proxy(upstream, plan)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
