"""A small HTTP server for the preview, on the standard library.

Why not a framework: it serves static files from one folder plus one Server-Sent Events stream;
`http.server` does both in ~150 lines with no dependency, and keeping it small keeps its safety
(no path outside the output folder, loopback by default) easy to review.
"""

from __future__ import annotations

import ipaddress
import json
import mimetypes
import posixpath
import sys
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit

RELOAD_JS = (Path(__file__).parent / "reload.js").read_bytes()
INJECT = b'<script src="/__sitegen__/reload.js"></script>'
NOT_FOUND = b"<!doctype html><title>Not found</title><h1>404: not found</h1><p><a href=\"/\">Site index</a></p>"


class BuildState:
    """What the browser needs to know: the build generation and the errors of the last build."""

    def __init__(self) -> None:
        self.generation = 0
        self.builds = 0
        self.errors: list[str] = []
        self.changed = threading.Condition()

    def publish(self, errors: list[str]) -> None:
        with self.changed:
            self.builds += 1
            self.errors = list(errors)
            if not errors:
                self.generation += 1
            self.changed.notify_all()

    def snapshot(self) -> dict:
        return {"generation": self.generation, "builds": self.builds, "errors": self.errors}


def safe_path(root: Path, url_path: str) -> Path | None:
    """The file under root that the URL names, or None if it names anything outside root."""
    path = unquote(urlsplit(url_path).path)
    if "\x00" in path or "\\" in path:
        return None
    normal = posixpath.normpath("/" + path.lstrip("/"))
    if normal.startswith("/..") or any(part.startswith(".") for part in normal.split("/")):
        return None  # outside the root, or a hidden file (the output marker, a file being written)
    real_root = root.resolve()
    candidate = _inside(real_root, root / normal.lstrip("/"))
    if candidate is not None and candidate.is_dir():
        candidate = _inside(real_root, candidate / "index.html")  # (an index that is a link out: refused too)
    return candidate if candidate is not None and candidate.is_file() else None


def _inside(real_root: Path, path: Path) -> Path | None:
    """The path resolved, if it lies in the root (a symlink that leads out of the output folder does not)."""
    resolved = path.resolve()
    return resolved if resolved == real_root or real_root in resolved.parents else None


def allowed_host(host_header: str | None, bound: str, port: int) -> bool:
    """Whether a request's Host names this server: its own address, or localhost, on its port. Anything else may
    be a web page that rebound its own domain name to 127.0.0.1 to read the preview (DNS rebinding)."""
    try:
        given = urlsplit("//" + (host_header or "").strip())
        given_port = given.port
    except ValueError:
        return False
    if given_port is not None and given_port != port:
        return False
    name = given.hostname or ""
    if name in {bound.lower().strip("[]"), "localhost", "127.0.0.1", "::1"}:
        return True
    # listening on every address (--host 0.0.0.0): the machine's own addresses, which rebinding (a name) is not
    return bound.strip("[]") in ("0.0.0.0", "::", "") and _is_address(name)


def cross_origin(headers, bound: str, port: int) -> bool:
    """Whether a browser sent this request from another site's page (`Sec-Fetch-Site`, else `Origin`): such a
    page must not follow the build state or read its errors (file names, figures)."""
    site = headers.get("Sec-Fetch-Site")
    if site is not None:
        return site not in ("same-origin", "none")
    origin = headers.get("Origin")
    if origin is None:
        return False
    parts = urlsplit(origin)
    return parts.scheme != "http" or not allowed_host(parts.netloc, bound, port)


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    protocol_version = "HTTP/1.1"
    timeout = 60  # seconds a half-sent request may hold its thread

    def log_message(self, format: str, *args) -> None:  # quiet: the terminal shows builds, not requests
        pass

    def do_HEAD(self) -> None:
        self.do_GET(body=False)

    def do_GET(self, body: bool = True) -> None:
        if not allowed_host(self.headers.get("Host"), self.server.bound, self.server.server_address[1]):
            return self._send(HTTPStatus.MISDIRECTED_REQUEST, "text/plain; charset=utf-8",
                              b"This preview answers only requests for its own address.", body)
        route = urlsplit(self.path).path
        if route in ("/__sitegen__/status", "/__sitegen__/events") and \
                cross_origin(self.headers, self.server.bound, self.server.server_address[1]):
            return self._send(HTTPStatus.FORBIDDEN, "text/plain; charset=utf-8",
                              b"The preview's build state is for its own pages only.", body)
        if route == "/__sitegen__/reload.js":
            return self._send(HTTPStatus.OK, "text/javascript; charset=utf-8", RELOAD_JS, body)
        if route == "/__sitegen__/status":
            data = json.dumps(self.server.state.snapshot()).encode()
            return self._send(HTTPStatus.OK, "application/json", data, body)
        if route == "/__sitegen__/events":
            return self._events()
        with self.server.site_lock:  # the writer holds it while it swaps a build in
            path = safe_path(self.server.root, self.path)
            try:
                data = path.read_bytes() if path is not None else None
            except OSError:
                data = None
        if path is not None and not route.endswith("/") and path.name == "index.html" and \
                path.parent.name == posixpath.basename(unquote(route)):
            return self._redirect(route + "/")  # a folder's page links relative to the folder
        if path is None or data is None:
            return self._send(HTTPStatus.NOT_FOUND, "text/html; charset=utf-8", self._inject(NOT_FOUND), body)
        ctype = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        if ctype == "text/html":
            data = self._inject(data)
        if ctype.startswith("text/") or ctype in ("application/javascript", "application/json"):
            ctype += "; charset=utf-8"
        self._send(HTTPStatus.OK, ctype, data, body)

    def _redirect(self, location: str) -> None:
        self.send_response(HTTPStatus.MOVED_PERMANENTLY)
        self.send_header("Location", location)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _inject(self, html: bytes) -> bytes:
        at = html.rfind(b"</body>")
        return html[:at] + INJECT + html[at:] if at >= 0 else html + INJECT

    def _send(self, status: HTTPStatus, ctype: str, data: bytes, body: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if body:
            self.wfile.write(data)

    def _events(self) -> None:
        """Server-Sent Events: the build state now, then after every build, until the client leaves."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Connection", "close")
        self.end_headers()
        self.close_connection = True
        state = self.server.state
        seen = -1
        try:
            while not self.server.stopping.is_set():
                with state.changed:
                    if state.builds == seen:
                        state.changed.wait(timeout=15)  # then the same state again, as a keep-alive
                    snapshot, seen = state.snapshot(), state.builds
                self.wfile.write(f"event: state\ndata: {json.dumps(snapshot)}\n\n".encode())
                self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, OSError):
            pass


BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")


class PreviewServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 64  # connections waiting to be accepted (the standard library's 5 drops a page's assets)
    max_connections = 128  # served at once, each on its own thread; more get 503 at once instead of a thread

    def __init__(self, root: Path, host: str, port: int, state: BuildState, site_lock: threading.Lock | None = None):
        self.root = root
        self.state = state
        self.site_lock = site_lock or threading.Lock()
        self.stopping = threading.Event()
        self.bound = host
        self.slots = threading.BoundedSemaphore(self.max_connections)
        super().__init__((host, port), PreviewHandler)

    def process_request(self, request, client_address) -> None:
        if not self.slots.acquire(blocking=False):
            try:
                request.settimeout(1)
                request.sendall(BUSY)
            except OSError:
                pass
            self.shutdown_request(request)
            return
        # the request's thread gives its place back (a Ctrl-C that lands while it starts must stop the server, not
        # release the place a second time and be lost in that error)
        super().process_request(request, client_address)

    def process_request_thread(self, request, client_address) -> None:
        try:
            super().process_request_thread(request, client_address)
        finally:
            self.slots.release()

    def handle_error(self, request, client_address) -> None:
        """A browser that went away mid-request is no error to print a traceback for: one line."""
        error = sys.exc_info()[1]
        if isinstance(error, ConnectionError | TimeoutError):
            print(f"preview: connection from {client_address[0]} ended early ({type(error).__name__})",
                  file=sys.stderr)
        else:
            super().handle_error(request, client_address)

    def end_streams(self) -> None:
        """Let every open event stream finish (serve_forever has returned, or never started)."""
        self.stopping.set()
        with self.state.changed:
            self.state.changed.notify_all()
