"""`sitegen serve` over real HTTP on loopback, with real file events."""

import http.client
import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from helpers import make_project
from tiny_data import TABLES

pytestmark = pytest.mark.slow  # a preview server over real HTTP with real file events; the fast lane leaves it out

REPORT = "---\nperiod: {start: 2026-10-01, end: 2026-10-02}\n---\nFirst version.\n"


class Preview:
    def __init__(self, root: Path, *args: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1", "CI": "1"}
        self.process = subprocess.Popen([sys.executable, "-m", "sitegen", "serve", str(root), "--port", "0", *args],
                                        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
        self.lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=self._pump, daemon=True).start()
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=1)
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            match = re.search(r"on http://([\d.]+):(\d+)/", line)
            if match:
                self.host, self.port = match[1], int(match[2])
                return
        raise AssertionError("server did not start")

    def _pump(self):
        for line in self.process.stdout:
            self.lines.put(line)

    def get(self, path: str) -> tuple[int, dict, bytes]:
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        conn.request("GET", path)
        response = conn.getresponse()
        body = response.read()
        conn.close()
        return response.status, dict(response.getheaders()), body

    def raw_get(self, raw_path: str) -> int:
        """A request line sent as written, without any client-side normalisation."""
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        conn.putrequest("GET", raw_path, skip_accept_encoding=True)
        conn.endheaders()
        status = conn.getresponse().status
        conn.close()
        return status

    def status(self) -> dict:
        return json.loads(self.get("/__sitegen__/status")[2])

    def stop(self):
        self.process.send_signal(signal.SIGINT)  # Ctrl-C
        return self.process.wait(timeout=30)


class Events:
    """A Server-Sent Events client that collects `state` messages."""

    def __init__(self, preview: Preview):
        self.conn = http.client.HTTPConnection(preview.host, preview.port, timeout=60)
        self.conn.request("GET", "/__sitegen__/events")
        self.response = self.conn.getresponse()
        self.states: queue.Queue[dict] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        try:
            for raw in self.response:
                line = raw.decode().strip()
                if line.startswith("data: "):
                    self.states.put(json.loads(line[6:]))
        except (OSError, ValueError):
            pass

    def next_state(self, predicate, timeout: float = 30.0) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                state = self.states.get(timeout=max(0.1, deadline - time.monotonic()))
            except queue.Empty:
                break
            if predicate(state):
                return state
        raise AssertionError("expected state did not arrive")


@pytest.fixture
def project(tmp_path):
    return make_project(tmp_path / "p", TABLES, {"2026-10.md": REPORT})


@pytest.fixture
def preview(project):
    server = Preview(project)
    yield server
    if server.process.poll() is None:
        server.stop()


def test_serves_the_site_on_loopback_with_reload_script(preview):
    assert preview.host == "127.0.0.1"
    status, headers, body = preview.get("/acme/2026-10/")
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b'<script src="/__sitegen__/reload.js"></script></body>' in body
    status, headers, _ = preview.get("/assets/style.css")
    assert status == 200 and headers["Content-Type"].startswith("text/css")
    status, headers, _ = preview.get("/assets/vendor/vega-bundle.js")
    assert status == 200 and "javascript" in headers["Content-Type"]
    status, _, body = preview.get("/no/such/page")
    assert status == 404 and b"404" in body


def test_built_files_carry_no_reload_script(preview, project):
    assert b"__sitegen__" not in (project / "output/acme/2026-10/index.html").read_bytes()


@pytest.mark.parametrize("path", ["/../../../etc/passwd", "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                  "/..%2f..%2f..%2fetc%2fpasswd", "/assets/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
                                  "/%00index.html", "/..\\..\\etc\\passwd", "//etc/passwd"])
def test_path_traversal_is_refused(preview, path):
    assert preview.raw_get(path) == 404


def test_symlink_out_of_the_output_is_refused(preview, project, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("secret")
    (project / "output" / "leak.txt").symlink_to(secret)
    assert preview.get("/leak.txt")[0] == 404


def test_edit_rebuilds_and_reloads(preview, project):
    events = Events(preview)
    first = events.next_state(lambda s: True)
    report = project / "content/acme/2026-10.md"
    report.write_text(REPORT.replace("First version.", "Second version."))
    state = events.next_state(lambda s: s["generation"] > first["generation"])
    assert state["errors"] == []
    assert b"Second version." in preview.get("/acme/2026-10/")[2]
    time.sleep(2)  # the build's own writes must not start another build
    assert preview.status()["builds"] == state["builds"]


def test_atomic_save_is_seen(preview, project):
    events = Events(preview)
    first = events.next_state(lambda s: True)
    report = project / "content/acme/2026-10.md"
    temp = report.with_name(".2026-10.md.tmp")
    temp.write_text(REPORT.replace("First version.", "Saved atomically."))
    os.replace(temp, report)
    events.next_state(lambda s: s["generation"] > first["generation"])
    assert b"Saved atomically." in preview.get("/acme/2026-10/")[2]


def test_errors_show_while_the_last_good_site_stays(preview, project):
    events = Events(preview)
    first = events.next_state(lambda s: True)
    data = project / "content/acme/data/ads.csv"
    good = data.read_text()
    data.write_text(good.replace("2026-10-01", "someday", 1))
    failed = events.next_state(lambda s: s["errors"])
    assert "ads.csv:2:date: found 'someday'" in failed["errors"][0]
    status, _, body = preview.get("/acme/2026-10/")
    assert status == 200 and b"First version." in body  # the last good site
    data.write_text(good)
    fixed = events.next_state(lambda s: not s["errors"] and s["generation"] > first["generation"])
    assert fixed["errors"] == []
    assert preview.process.poll() is None


def test_commentary_beyond_its_limits_shows_in_the_page(preview, project):
    events = Events(preview)
    first = events.next_state(lambda s: True)
    report = project / "content/acme/2026-10.md"
    report.write_text(REPORT + "\n{{ 'a' * 300000000 }}\n")
    failed = events.next_state(lambda s: s["errors"])
    assert failed["errors"][0].endswith("2026-10.md:6: commentary asks for a value of more than 1,000,000 characters "
                                        "or items"), failed["errors"]
    assert b"First version." in preview.get("/acme/2026-10/")[2]  # the last good site
    report.write_text(REPORT)
    events.next_state(lambda s: not s["errors"] and s["generation"] > first["generation"])
    assert preview.process.poll() is None


def test_a_burst_of_files_gives_few_builds(preview, project):
    events = Events(preview)
    before = events.next_state(lambda s: True)
    drop = project / "content/acme/data/drop"
    drop.mkdir()
    row = TABLES["hashtags"][0]
    for i in range(500):
        (drop / f"h{i:03}.csv").write_text(f"date,hashtag,posts\n{row['date']},#tag{i},1\n")
    events.next_state(lambda s: s["generation"] > before["generation"])
    time.sleep(1.0)  # let any straggling build finish
    builds = preview.status()["builds"] - before["builds"]
    assert 1 <= builds <= 4, builds  # 500 files, well over 1,000 events
    kpis = json.loads(preview.get("/acme/2026-10/kpis.json")[2])
    assert kpis["kpis"]["hashtag_posts"]["value"] == 7 + 500  # every file of the drop was read


def test_output_changes_do_not_trigger_builds(preview, project):
    before = preview.status()["builds"]
    (project / "output" / "note.txt").write_text("written by someone else")
    time.sleep(1.5)
    assert preview.status()["builds"] == before


def test_ctrl_c_stops_cleanly(preview):
    assert preview.stop() == 0


def test_config_change_and_new_client_are_picked_up(preview, project):
    events = Events(preview)
    first = events.next_state(lambda s: True)
    (project / "sitegen.toml").write_text('title = "Renamed site"\n')
    second = events.next_state(lambda s: s["generation"] > first["generation"])
    assert b"Renamed site" in preview.get("/")[2]
    make_project(project, {"ads": TABLES["ads"]}, {"2026-10.md": "New client's report"}, client="newco")
    events.next_state(lambda s: s["generation"] > second["generation"] and
                      b"newco" in preview.get("/")[2])
    assert preview.get("/newco/2026-10/")[0] == 200
    (project / "content/newco/2026-10.md").unlink()
    events.next_state(lambda s: preview.get("/newco/2026-10/")[0] == 404)


def test_serve_after_a_build_serves_every_page(project):
    """serve starts from the cache `sitegen build` left, where unchanged clients are kept as a head only (their
    pages stay on disk until needed): their pages must still be in the preview (they once went missing)."""
    make_project(project, {"ads": TABLES["ads"]}, {"2026-10.md": "Another client's report"}, client="other")
    build = subprocess.run([sys.executable, "-m", "sitegen", "build", str(project), "-q"], capture_output=True,
                           text=True)
    assert build.returncode == 0, build.stderr
    built = {p.relative_to(project / "output").as_posix(): p.read_bytes()
             for p in (project / "output").rglob("*.html")}
    server = Preview(project)
    try:
        for page, body in built.items():
            status, _, served = server.get("/" + page)
            assert status == 200, page
            assert served.replace(b'<script src="/__sitegen__/reload.js"></script>', b"") == body, page
    finally:
        server.stop()
    assert sorted(p.relative_to(project / "output").as_posix() for p in (project / "output").rglob("*.html")) \
        == sorted(built)


def _get_with_host(preview: Preview, path: str, host: str) -> tuple[int, dict]:
    conn = http.client.HTTPConnection(preview.host, preview.port, timeout=10)
    conn.putrequest("GET", path, skip_host=True)
    conn.putheader("Host", host)
    conn.endheaders()
    response = conn.getresponse()
    response.read()
    conn.close()
    return response.status, dict(response.getheaders())


def test_only_requests_for_its_own_address_are_answered(preview):
    """A page of another domain rebound to 127.0.0.1 (DNS rebinding) cannot read the preview or its status."""
    for host in (f"127.0.0.1:{preview.port}", f"localhost:{preview.port}", "localhost"):
        assert _get_with_host(preview, "/", host)[0] == 200, host
    for host in (f"evil.example:{preview.port}", "evil.example", f"127.0.0.1:{preview.port + 1}", ""):
        assert _get_with_host(preview, "/__sitegen__/status", host)[0] == 421, host
        assert _get_with_host(preview, "/", host)[0] == 421, host


def test_an_index_that_links_out_of_the_output_is_refused(preview, project, tmp_path):
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "index.html").write_text("secret")
    folder = project / "output" / "linked"
    folder.mkdir()
    (folder / "index.html").symlink_to(secret / "index.html")
    assert preview.get("/linked/")[0] == 404


def test_a_folder_without_its_slash_is_redirected(preview):
    status, headers = _get_with_host(preview, "/acme", f"127.0.0.1:{preview.port}")
    assert status == 301 and headers["Location"] == "/acme/"


def test_host_rules_for_an_address_and_for_every_address():
    from sitegen.serve.server import allowed_host
    assert allowed_host("127.0.0.1:8000", "127.0.0.1", 8000) and allowed_host("localhost", "127.0.0.1", 8000)
    assert not allowed_host("192.168.1.5:8000", "127.0.0.1", 8000)  # not this server's address
    assert allowed_host("192.168.1.5:8000", "0.0.0.0", 8000)  # --host 0.0.0.0: reached from the network
    assert not allowed_host("evil.example:8000", "0.0.0.0", 8000)  # a name: may be rebound
    assert not allowed_host("192.168.1.5:9000", "0.0.0.0", 8000) and not allowed_host(None, "0.0.0.0", 8000)


def _get_with_headers(preview: Preview, path: str, headers: dict[str, str]) -> int:
    conn = http.client.HTTPConnection(preview.host, preview.port, timeout=10)
    conn.request("GET", path, headers=headers)
    response = conn.getresponse()
    status = response.status
    conn.close()
    return status


def test_other_sites_cannot_follow_the_build_state(preview):
    """The event stream and status carry error lines (file names, figures): a page of another site that the
    browser lets reach 127.0.0.1 is refused them; the preview's own pages are not."""
    own = f"http://127.0.0.1:{preview.port}"
    for path in ("/__sitegen__/status", "/__sitegen__/events"):
        assert _get_with_headers(preview, path, {"Origin": "http://evil.example"}) == 403, path
        assert _get_with_headers(preview, path, {"Origin": "null"}) == 403, path
        assert _get_with_headers(preview, path, {"Sec-Fetch-Site": "cross-site"}) == 403, path
        assert _get_with_headers(preview, path, {"Sec-Fetch-Site": "same-site"}) == 403, path
    assert _get_with_headers(preview, "/__sitegen__/status", {"Origin": own}) == 200
    assert _get_with_headers(preview, "/__sitegen__/status", {"Sec-Fetch-Site": "same-origin"}) == 200


def test_connections_beyond_the_cap_are_told_to_retry(tmp_path):
    """Idle connections hold a thread each until their timeout: past the cap, new ones get 503 at once, and a
    connection that ends frees its place."""
    import socket

    from sitegen.serve.server import BuildState, PreviewServer

    (tmp_path / "index.html").write_text("<p>hi</p>")

    class Small(PreviewServer):
        max_connections = 3

    server = Small(tmp_path, "127.0.0.1", 0, BuildState())
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()
    port = server.server_address[1]
    try:
        idle = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(3)]
        time.sleep(0.3)
        with socket.create_connection(("127.0.0.1", port), timeout=10) as extra:
            assert extra.recv(100).startswith(b"HTTP/1.1 503")
        idle.pop().close()
        deadline = time.monotonic() + 10
        while True:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            conn.request("GET", "/")
            response = conn.getresponse()
            status = response.status
            conn.close()
            if status == 200 or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        assert status == 200
        for sock in idle:
            sock.close()
    finally:
        server.shutdown()
        server.server_close()


def test_a_log_file_beside_the_project_triggers_no_build(preview, project):
    """`sitegen serve . > serve.log` (or nohup.out) writes into the project root: it is no input, and writing it
    must not rebuild (once, it rebuilt forever: each build's lines changed the log)."""
    before = preview.status()["builds"]
    for name in ("serve.log", "nohup.out", "notes.txt"):
        for i in range(5):
            with open(project / name, "a") as log:
                log.write(f"line {i}\n")
            time.sleep(0.05)
    (project / "downloads").mkdir()
    (project / "downloads" / "ads.csv").write_text("date,campaign,spend\n")
    time.sleep(1.5)
    assert preview.status()["builds"] == before


def test_content_replaced_by_a_new_folder_is_still_watched(preview, project):
    events = Events(preview)
    first = events.next_state(lambda s: True)
    fresh = project / "content-new"
    subprocess.run(["cp", "-r", str(project / "content"), str(fresh)], check=True)
    (fresh / "acme" / "2026-10.md").write_text(REPORT.replace("First version.", "Second version."))
    (project / "content").rename(project / "content-old")
    fresh.rename(project / "content")
    second = events.next_state(lambda s: s["generation"] > first["generation"] and
                               b"Second version." in preview.get("/acme/2026-10/")[2])
    (project / "content" / "acme" / "2026-10.md").write_text(REPORT.replace("First version.", "Third version."))
    events.next_state(lambda s: s["generation"] > second["generation"] and
                      b"Third version." in preview.get("/acme/2026-10/")[2])
    before = preview.status()["builds"]
    (project / "content-old" / "acme" / "2026-10.md").write_text("the old folder is no input any more")
    time.sleep(1.5)
    assert preview.status()["builds"] == before


def test_a_brand_file_outside_content_is_watched(tmp_path):
    project = make_project(tmp_path / "p", TABLES, {"2026-10.md": REPORT},
                           site_toml='[branding]\nlogo = "brand/logo.svg"\n')
    (project / "brand").mkdir()
    (project / "brand" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="8" height="8"/>')
    server = Preview(project)
    try:
        events = Events(server)
        first = events.next_state(lambda s: True)
        (project / "brand" / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>')
        events.next_state(lambda s: s["generation"] > first["generation"])
        assert b'width="9"' in b"".join(p.read_bytes() for p in (project / "output").rglob("logo*.svg"))
    finally:
        server.stop()


def test_a_build_into_the_served_output_waits_and_is_then_made_whole(project):
    """`sitegen build --client other` into the output the preview serves: it runs between the preview's builds
    (one lock), and the preview then puts its whole site back (once, it served only that client until restarted)."""
    make_project(project, {"ads": TABLES["ads"]}, {"2026-10.md": "Another client's report"}, client="other")
    server = Preview(project)
    try:
        assert server.get("/acme/2026-10/")[0] == 200
        build = subprocess.run([sys.executable, "-m", "sitegen", "build", str(project), "--client", "other", "-q"],
                               capture_output=True, text=True, timeout=120)
        assert build.returncode == 0, build.stderr
        deadline = time.monotonic() + 20
        while server.get("/acme/2026-10/")[0] != 200 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert server.get("/acme/2026-10/")[0] == 200 and server.get("/other/2026-10/")[0] == 200
        assert (project / "output" / "acme" / "2026-10" / "index.html").is_file()
    finally:
        server.stop()


def test_the_preview_waits_for_a_build_that_holds_the_output(preview, project):
    from sitegen.build.lock import output_lock

    events = Events(preview)
    first = events.next_state(lambda s: True)
    with output_lock(project / "output"):
        (project / "content/acme/2026-10.md").write_text(REPORT.replace("First version.", "Edited."))
        deadline = time.monotonic() + 20
        waiting = None
        while waiting is None and time.monotonic() < deadline:
            try:
                line = preview.lines.get(timeout=0.5)
            except queue.Empty:
                continue
            waiting = line if "waiting for the build of" in line else None
        assert waiting is not None
        assert preview.status()["generation"] == first["generation"]  # nothing published while it is held
    events.next_state(lambda s: s["generation"] > first["generation"])
    assert b"Edited." in preview.get("/acme/2026-10/")[2]


def test_serving_a_folder_that_does_not_exist_is_one_line(tmp_path):
    """Once, it made the folder and its output/, then served an error page for a typo in the path."""
    missing = tmp_path / "no-such-project"
    run = subprocess.run([sys.executable, "-m", "sitegen", "serve", str(missing), "--port", "0"],
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 2
    assert run.stderr.strip() == f"error: {missing}: project folder does not exist"
    assert not missing.exists()
