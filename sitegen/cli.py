"""The command line (click): `sitegen build`, `check`, `pdf` and `serve` (docs/user-guide/cli.md).

User mistakes exit with code 2 and one line per problem, never a traceback; a full disk or a folder that cannot be
written exits with code 1, also in one line."""

from __future__ import annotations

import json
import os
import sys
import tempfile
from pathlib import Path

import click

from sitegen import __version__
from sitegen.build.site import BuildOptions, build, default_output
from sitegen.errors import (
    MAX_LISTED,
    Diagnostics,
    SitegenError,
    SitegenErrors,
    error_lines,
    only_environment,
    os_failure,
)
from sitegen.pdf import check_pdf_dir, project_reports, sync_api, write_pdfs
from sitegen.project.discover import discover
from sitegen.project.model import report_slug
from sitegen.project.privacy import MIN_PASSWORD, new_password, new_secret, read_secrets, write_secrets
from sitegen.project.private_clients import with_privacy
from sitegen.serve.run import serve as run_serve

EXIT_ENVIRONMENT = 1
EXIT_USER_ERROR = 2


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


class _Progress:
    """A rich progress bar on a terminal; nothing in CI or when output is piped."""

    def __init__(self, enabled: bool):
        self.bar = None
        if enabled:
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn
            self.bar = Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                                TimeElapsedColumn(), transient=True, console=_console())
            self.task = None

    def __enter__(self):
        if self.bar:
            self.bar.__enter__()
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.__exit__(*exc)

    def __call__(self, stage: str, done: int, total: int) -> None:
        if self.bar is None:
            return
        if self.task is None:
            self.task = self.bar.add_task("Building reports", total=total)
        self.bar.update(self.task, completed=done)


def _console():
    from rich.console import Console
    return Console(stderr=True)


def fail(exc: SitegenError) -> None:
    for line in error_lines(exc):
        click.echo(f"error: {line}", err=True)
    sys.exit(EXIT_ENVIRONMENT if only_environment(exc) else EXIT_USER_ERROR)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sitegen")
def main() -> None:
    """sitegen: static report sites for TikTok marketing."""


@main.command("build")
@click.argument("project_dir", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the site (default: PROJECT_DIR/output).")
@click.option("--strict", is_flag=True, help="Fail on warnings (unknown keys or columns, empty periods).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None,
              help="Worker processes (default: one per core for larger projects, else 1).")
@click.option("--client", "clients", multiple=True, metavar="SLUG",
              help="Build only this client (repeat for several).")
@click.option("--split", is_flag=True,
              help="One self-contained site per client: OUTPUT/<client>/ with its own assets, no shared index.")
@click.option("--explain", is_flag=True, help="List what was built again and why (the rest came from the cache), "
              "and the published figures that changed.")
@click.option("--no-cache", is_flag=True, help="Build everything, ignoring the project's build cache.")
@click.option("--wait", is_flag=True, help="If another build of the same output is running, wait for it to end "
                                          "(without: stop at once with an error).")
@click.option("--executor", metavar="SPEC", default="local", show_default=True,
              help="Where per-client work runs: 'local' (this machine, --jobs processes), 'dask-local' (a local "
                   "Dask cluster of --jobs workers) or 'dask://HOST:PORT' (a running Dask scheduler; the project "
                   "folder must be at the same path on every worker). Dask needs: pip install \"sitegen[dask]\".")
@click.option("--agency-index", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="With private clients: where to write the index of all clients, for the agency (default: beside "
                   "the output, OUTPUT-agency.html; never inside it).")
def build_command(project_dir: Path, output: Path | None, strict: bool, quiet: bool, jobs: int | None,
                  clients: tuple[str, ...], split: bool, explain: bool, no_cache: bool, wait: bool,
                  executor: str, agency_index: Path | None) -> None:
    """Build the report site of PROJECT_DIR (default: the current folder)."""
    options = BuildOptions(output=output, strict=strict, jobs=jobs, clients=clients, split=split,
                           use_cache=not no_cache, executor=executor, wait=wait, agency_index=agency_index)
    try:
        with _Progress(_interactive() and not quiet) as progress:
            result = build(project_dir, options, progress=progress)
    except SitegenError as exc:
        fail(exc)
    except OSError as exc:  # what the build did not put in words itself
        fail(os_failure(exc))
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    if explain:
        for line in result.explain or ["nothing changed: every page came from the cache"]:
            click.echo(f"rebuilt {line}")
        for line in result.changes:  # published figures that changed since the last build
            click.echo(line)
    if not quiet:
        seconds = result.seconds
        click.echo(f"Built {result.reports} reports for {result.clients} clients into {result.output} "
                   f"({result.files} files, {seconds:.2f} s)")
        if result.agency_index is not None:
            click.echo(f"The index of all clients, for the agency only: {result.agency_index}")


@main.command()
@click.argument("project_dir", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the site (default: PROJECT_DIR/output).")
@click.option("--pdf-dir", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the PDFs (default: PROJECT_DIR/pdf).")
@click.option("--strict", is_flag=True, help="Fail on warnings (unknown keys or columns, empty periods, "
                                             "charts that could not be drawn).")
@click.option("--quiet", "-q", is_flag=True, help="Print only errors.")
def pdf(project_dir: Path, output: Path | None, pdf_dir: Path | None, strict: bool, quiet: bool) -> None:
    """Build PROJECT_DIR and print every report to PDF_DIR/<client>/<report>.pdf with headless Chromium."""
    warnings: list[str] = []
    try:
        pdf_dir = check_pdf_dir(project_dir, output or default_output(project_dir),
                                pdf_dir or project_dir / "pdf")
        sync_api()  # before the build: say at once that Playwright is missing
        with _Progress(_interactive() and not quiet) as progress:
            result = build(project_dir, BuildOptions(output=output, strict=strict), progress=progress)
        for warning in result.warnings:
            click.echo(f"warning: {warning}", err=True)
        if result.private:  # private pages are printed from a copy built in the clear, never published
            with tempfile.TemporaryDirectory(prefix="sitegen-pdf-") as plain:
                result = build(project_dir, BuildOptions(output=Path(plain) / "site", privacy=False,
                                                         use_cache=False))
                written = write_pdfs(result.output, pdf_dir, project_reports(project_dir), warnings.append)
        else:
            written = write_pdfs(result.output, pdf_dir, project_reports(project_dir), warnings.append)
    except SitegenError as exc:
        fail(exc)
    except OSError as exc:
        fail(os_failure(exc))
    for warning in warnings:
        click.echo(f"warning: {warning}", err=True)
    if strict and warnings:
        fail(SitegenErrors([SitegenError(f"{w} (a warning; --strict makes it an error)") for w in warnings]))
    if not quiet:
        shown = os.path.relpath(pdf_dir) if pdf_dir.is_relative_to(Path.cwd()) else str(pdf_dir)
        click.echo(f"wrote {len(written)} PDF{'' if len(written) == 1 else 's'} to {shown}{os.sep}")


@main.command()
@click.argument("project_dir", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--strict", is_flag=True, help="Fail on warnings too.")
@click.option("--json", "as_json", is_flag=True, help="Print the summary as JSON (for CI jobs).")
def check(project_dir: Path, strict: bool, as_json: bool) -> None:
    """Load and validate the data of PROJECT_DIR without building: what was found, and every problem."""
    # deferred: loading data needs pandas and pyarrow, which other commands (a build that finds nothing
    # changed) do without (tests/test_layering.py)
    from sitegen.check import check_project, summary_lines

    try:
        result = check_project(project_dir)
    except SitegenError as exc:
        fail(exc)
    except OSError as exc:
        fail(os_failure(exc))
    if as_json:
        click.echo(json.dumps({"clients": [c.as_dict(result.root) for c in result.clients],
                               "errors": [str(e) for e in result.site_errors],
                               "warnings": result.warnings}, indent=2, ensure_ascii=False))
    else:
        for line in summary_lines(result):
            click.echo(line)
    for warning in result.warnings[:MAX_LISTED]:
        click.echo(f"warning: {warning}", err=True)
    if len(result.warnings) > MAX_LISTED:
        rest = len(result.warnings) - MAX_LISTED
        click.echo(f"warning: ... and {rest} more warning{'' if rest == 1 else 's'} not listed (--json lists all "
                   f"{len(result.warnings)})", err=True)
    if result.errors:
        fail(SitegenErrors(result.errors) if len(result.errors) > 1 else result.errors[0])
    if strict and result.warnings:
        fail(SitegenErrors([SitegenError(f"{w} (a warning; --strict makes it an error)") for w in result.warnings]))


@main.command()
@click.argument("project_dir", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--output", "-o", type=click.Path(path_type=Path, file_okay=False),
              help="Where to write the site (default: PROJECT_DIR/output).")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", "-p", default=8000, show_default=True, type=click.IntRange(0, 65535),
              help="Port (0: any free port).")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@click.option("--poll", is_flag=True, help="Poll for changes (network mounts, containers).")
@click.option("--source-interval", type=click.FloatRange(min=0), default=30.0, show_default=True, metavar="SECONDS",
              help="How often to ask the project's [[sources]] whether their rows changed (0: never).")
def serve(project_dir: Path, output: Path | None, host: str, port: int, open_browser: bool, poll: bool,
          source_interval: float) -> None:
    """Build PROJECT_DIR, serve it, and rebuild and reload the browser on every change."""
    def say(line: str) -> None:
        click.echo(line, err=line.startswith(("error", "internal error")))

    try:
        run_serve(project_dir, output, host, port, open_browser, poll, say, source_interval)
    except SitegenError as exc:
        fail(exc)
    except OSError as exc:
        fail(SitegenError(f"cannot serve on {host}:{port}: {exc.strerror or exc}"))


@main.group()
def secret() -> None:
    """The project secret and the clients' passwords, for private reports (kept in .sitegen-secrets.toml)."""


@secret.command("init")
@click.argument("project_dir", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--rotate", is_flag=True, help="Replace the secret that is there: every private client gets a new "
                                            "folder (and new keys) on the next build.")
def secret_init(project_dir: Path, rotate: bool) -> None:
    """Write a new project secret into the secrets file (readable by you alone), and add the file to .gitignore."""
    try:
        secrets = read_secrets(project_dir.absolute(), default_output(project_dir.absolute()), Diagnostics())
        if secrets.secret is not None and not rotate:
            raise SitegenError("there is a secret already; --rotate replaces it (every private client's link "
                               "changes)", secrets.file)
        path = write_secrets(project_dir.absolute(), new_secret())
    except SitegenError as exc:
        fail(exc)
    except OSError as exc:
        fail(os_failure(exc))
    click.echo(f"wrote a new secret to {path} (keep it out of version control and backups others can read)")


@secret.command("password")
@click.argument("slug")
@click.argument("project_dir", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--generate", is_flag=True, help="Make a random password and print it, instead of asking for one.")
def secret_password(slug: str, project_dir: Path, generate: bool) -> None:
    """Set the password of the client SLUG (at least 12 characters), asked for twice without echo."""
    try:
        known = [c.slug for c in discover(project_dir.absolute(), Diagnostics()).clients]
        if slug not in known:
            raise SitegenError(f"unknown client {slug!r}; known clients: {', '.join(sorted(known)) or 'none'}")
        password = new_password() if generate else click.prompt(f"Password for {slug}", hide_input=True,
                                                                confirmation_prompt=True)
        if len(password) < MIN_PASSWORD:
            raise SitegenError(f"a password must have at least {MIN_PASSWORD} characters (this one has "
                               f"{len(password)})")
        path = write_secrets(project_dir.absolute(), passwords={slug: password})
    except SitegenError as exc:
        fail(exc)
    except OSError as exc:
        fail(os_failure(exc))
    if generate:
        click.echo(password)
    click.echo(f"set the password of {slug} in {path}; give it to the client by another way than the link",
               err=generate)


@secret.command("links")
@click.argument("project_dir", default=".", type=click.Path(path_type=Path, file_okay=False))
@click.option("--reports", is_flag=True, help="Also a line per report: slug, privacy, link, report slug (a "
                                             "password-protected client's report folders are opaque names).")
def secret_links(project_dir: Path, reports: bool) -> None:
    """Print each private client's folder in the output (and address, with base_url): slug, privacy, link."""
    try:
        root = project_dir.absolute()
        diagnostics = Diagnostics()
        project = with_privacy(discover(root, diagnostics), default_output(root), diagnostics)
    except SitegenError as exc:
        fail(exc)
    base = project.site.base_url.rstrip("/")
    for client in project.clients:
        if client.private:
            link = f"{base + '/' if base else ''}{client.site_dir}/"
            click.echo(f"{client.slug}\t{client.privacy}\t{link}")
            for report in client.reports if reports else ():
                slug = report_slug(report)
                click.echo(f"{client.slug}\t{client.privacy}\t{link}{client.report_dir(slug)}/\t{slug}")


if __name__ == "__main__":
    main()
