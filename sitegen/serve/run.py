"""`sitegen serve`: build, serve the output folder, rebuild on every change, reload the browser."""

from __future__ import annotations

import threading
import time
import webbrowser
from collections.abc import Callable
from pathlib import Path

from sitegen.build import cache_disk
from sitegen.build.lock import output_lock
from sitegen.build.site import BuildOptions, build, default_output
from sitegen.errors import SitegenError, error_lines, os_failure
from sitegen.project.private_clients import names_private_clients
from sitegen.serve.live_site import LiveSite
from sitegen.serve.server import BuildState, PreviewServer
from sitegen.serve.source_poll import SourcePoller
from sitegen.serve.watch import Watcher
from sitegen.storage import build_cache

PREVIEW = "output-preview"  # the preview's folder in a project with private clients


def _preview_output(project_dir: Path, output: Path | None, say: Callable[[str], None]) -> Path:
    if output is None and names_private_clients(project_dir):
        output = project_dir / PREVIEW
        say(f"The project has private clients: the preview shows them in the clear, so it is built into "
            f"{output}, not into the output folder that is published")
    return (output or default_output(project_dir)).resolve()


def serve(project_dir: Path, output: Path | None, host: str, port: int, open_browser: bool, poll: bool,
          say: Callable[[str], None], source_interval: float = 30.0) -> None:
    project_dir = Path(project_dir).resolve()
    if not project_dir.is_dir():  # (a mistake in the project is shown in the page; no project is no preview)
        raise SitegenError("project folder does not exist", project_dir)
    output = _preview_output(project_dir, output, say)
    state = BuildState()
    lock = threading.Lock()
    cache = cache_disk.load(build_cache(project_dir))  # start from the last `sitegen build`, if any
    site = LiveSite(output)

    def rebuild(changed: set[str] = frozenset()) -> None:
        with lock:
            started = time.perf_counter()
            cache.forget(changed)
            try:
                # a `sitegen build` of the same output runs before or after this one, never during it
                with output_lock(output, wait=True, on_wait=lambda: say(f"waiting for the build of {output}")):
                    result = build(project_dir, BuildOptions(output=output, privacy=False), cache=cache,
                                   writer=site)
            except SitegenError as exc:
                state.publish(error_lines(exc))
                for line in error_lines(exc):
                    say(f"error: {line}")
                return
            except Exception as exc:  # a bug must not kill the preview: show it like a build error
                state.publish([f"internal error: {type(exc).__name__}: {exc}"])
                say(f"internal error: {type(exc).__name__}: {exc}")
                return
            watcher.watch_inputs(result.inputs)
            state.publish([])
            say(f"rebuilt {result.reports} reports in {time.perf_counter() - started:.2f} s")

    server = None
    watcher = Watcher(project_dir, output, rebuild, poll=poll, stale=site.replaced)  # started once serving
    sources = SourcePoller(project_dir, source_interval, rebuild)
    try:
        rebuild()
        try:
            output.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise os_failure(exc, "cannot make the output folder", output) from None
        server = PreviewServer(output, host, port, state, site.lock)
        watcher.start()
        sources.start()
        url = f"http://{host}:{server.server_address[1]}/"
        say(f"Serving {output} on {url} (Ctrl-C to stop)")
        if open_browser:
            webbrowser.open(url)
        server.serve_forever(poll_interval=0.25)
    except KeyboardInterrupt:
        say("stopping")
    finally:
        watcher.stop()
        sources.stop()
        if server:
            server.end_streams()
            server.server_close()

