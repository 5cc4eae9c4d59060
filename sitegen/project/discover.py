"""Find what a project holds: site settings, clients, their settings, data folders and reports."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from sitegen.data.fx import ExchangeRates
from sitegen.data.options import FileDates
from sitegen.errors import Diagnostics, SitegenError, SitegenErrors, raise_all
from sitegen.metrics.thresholds import AlertThresholds
from sitegen.project.client_sources import client_sources
from sitegen.project.contrast import PAGE_BACKGROUND, TEXT_CONTRAST, contrast, text_colour
from sitegen.project.frontmatter import Commentary, read_commentary
from sitegen.project.model import CONTENT, Client, Project, report_slug, slugify
from sitegen.project.rates import exchange_rates
from sitegen.project.settings import (
    CLIENT_FILE,
    SITE_FILE,
    Branding,
    SiteConfig,
    load_client_config,
    load_site_config,
)

CommentaryReader = Callable[[Path, str, Diagnostics], Commentary]


def discover(root: Path, diagnostics: Diagnostics, read: CommentaryReader = read_commentary) -> Project:
    """`read` parses one commentary file; `sitegen serve` passes one that remembers unchanged files."""
    root = root.resolve()
    if not root.is_dir():
        raise SitegenError("project folder does not exist", root)
    site = load_site_config(root, diagnostics)
    _check_contrast(site.branding, "the site", root / SITE_FILE, diagnostics)
    content = root / CONTENT
    if not content.is_dir():
        raise SitegenError("no content folder: expected content/<client>/ with data/ and report files", content)
    folders = sorted(p for p in content.iterdir() if p.is_dir() and not p.name.startswith((".", "_")))
    errors: list[SitegenError] = []
    reports: dict[Path, list[Commentary]] = {f: [] for f in folders}
    for folder in folders:
        for path in sorted(folder.glob("*.md")):
            _collect(read, errors, reports[folder], path, site.comparison, diagnostics)
    site_rates = exchange_rates(site.fx, root / SITE_FILE)
    clients = []
    for folder in folders:
        try:
            clients.append(_client(folder, site, site_rates, diagnostics, root))
        except SitegenError as exc:
            errors.extend(getattr(exc, "errors", [exc]))
    raise_all(errors)
    loose = sorted(p for p in content.glob("*.md") if p.name != "index.md")
    _place_reports(read, loose, clients, reports, site.comparison, diagnostics, errors)
    raise_all(errors)
    clients = [_with_reports(c, [r for r in reports[c.folder] if not r.draft]) for c in clients]
    _check_unique([(c.slug, c.folder) for c in clients], "client")
    index_md = content / "index.md"
    files = _brand_files(root, root, site.branding, None, root / SITE_FILE)
    return Project(root, site, tuple(clients), index_md if index_md.is_file() else None, files)


def _place_reports(read: CommentaryReader, loose: list[Path], clients: list[Client],
                   reports: dict[Path, list[Commentary]], comparison: str, diagnostics: Diagnostics,
                   errors: list[SitegenError]) -> None:
    """The reports outside a client folder go to the client their front matter names; a report whose `client:`
    names another client than its folder's, or none that exists, is an error."""
    by_key = {key: c for c in clients for key in (c.slug, c.name, c.folder.name)}
    known = sorted(c.slug for c in clients)
    for path in loose:
        found: list[Commentary] = []
        _collect(read, errors, found, path, comparison, diagnostics)
        for report in found:
            owner = by_key.get(report.client or "")
            if owner is None:
                errors.append(_unknown_client(report, known))
            else:
                reports[owner.folder].append(report)
    by_folder = {c.folder: c for c in clients}
    for folder, placed in reports.items():
        for report in placed:
            if report.client and by_key.get(report.client) is not by_folder[folder]:
                errors.append(_unknown_client(report, known))


def _collect(read: CommentaryReader, errors, into: list[Commentary], path: Path, comparison: str,
             diagnostics: Diagnostics) -> None:
    try:
        into.append(read(path, comparison, diagnostics))
    except SitegenError as exc:
        errors.append(exc)


def _unknown_client(report: Commentary, known: list[str]) -> SitegenError:
    text = report.path.read_text(encoding="utf-8-sig")
    match = re.search(r"^client\s*:", text, re.M)
    line = text.count("\n", 0, match.start()) + 1 if match else 1
    if report.client is None:
        return SitegenError("front matter client: missing; a report outside a client folder must name its client "
                            f"(known clients: {', '.join(known) or 'none'})", report.path, 1)
    return SitegenError(f"front matter client: unknown client {report.client!r}; known clients: "
                        f"{', '.join(known) or 'none'}", report.path, line)


def _client(folder: Path, site: SiteConfig, site_rates: ExchangeRates | None, diagnostics: Diagnostics,
            root: Path) -> Client:
    config_path = folder / CLIENT_FILE
    cfg = load_client_config(config_path, diagnostics)
    name = cfg.name or folder.name
    slug = slugify(cfg.slug or folder.name)
    if not slug:
        raise SitegenError(f"cannot make a URL slug from {cfg.slug or folder.name!r}; set slug = \"...\"",
                           config_path if config_path.exists() else folder)
    branding = Branding(**{**site.branding.model_dump(exclude_none=True),
                           **cfg.branding.model_dump(exclude_none=True)})
    try:
        alerts = AlertThresholds(**{**site.alerts.model_dump(), **cfg.alerts})
    except ValidationError as exc:
        raise SitegenErrors([SitegenError(f"alerts.{'.'.join(map(str, e['loc']))}: "
                                          f"{e['msg'].removeprefix('Value error, ')}", config_path)
                             for e in exc.errors()]) from None
    _check_contrast(cfg.branding, f"client {name!r}", config_path, diagnostics)
    files = _brand_files(root, folder, cfg.branding, cfg.logo, config_path)
    return Client(slug=slug, name=name, folder=folder, locale=cfg.locale or site.locale,
                  currency=cfg.currency or site.currency, timezone=cfg.timezone or site.timezone,
                  targets={**site.targets, **cfg.targets}, alerts=alerts, branding=branding, brand_files=files,
                  reports=(), columns={**site.columns, **cfg.columns}, currency_set=cfg.currency is not None,
                  files={k: FileDates(v.downloaded, v.start, v.end) for k, v in cfg.files.items()},
                  fx=exchange_rates(cfg.fx, config_path) if cfg.fx is not None else site_rates,
                  creator_fees={h: c.fee for h, c in cfg.creators.items() if c.fee is not None},
                  privacy=cfg.privacy or site.privacy,
                  sources=client_sources(cfg, site, slug, folder, config_path, root / SITE_FILE))


def _check_contrast(branding: Branding, whose: str, path: Path, diagnostics: Diagnostics) -> None:
    """A warning, in the file that sets it, for a primary colour too light (or dark) for text on the page: its text
    uses the nearest colour that passes (pages.brand)."""
    colour = branding.primary_color
    if colour is None:
        return
    ratio = contrast(colour, PAGE_BACKGROUND)
    if ratio < TEXT_CONTRAST:
        diagnostics.warn(f"{whose}: branding.primary_color {colour} has a contrast of {ratio:.2f}:1 on the page's "
                         f"{PAGE_BACKGROUND} background, below the {TEXT_CONTRAST}:1 WCAG AA asks of text; links and "
                         f"headings use {text_colour(colour)} instead", path)


def _brand_files(root: Path, base: Path, branding: Branding, logo: str | None, config_path: Path) -> dict[str, Path]:
    """The branding files a config file sets itself (a client's own, not the ones it inherits), relative to `base`;
    each must lie inside the project folder `root`, links followed (they are copied into the public site)."""
    settings = {"logo": logo or branding.logo, "favicon": branding.favicon, "font_file": branding.font_file}
    files = {}
    for key, setting in settings.items():
        if setting:
            try:
                path = (base / setting).resolve()
                found = path.is_file()
            except (OSError, ValueError):  # a NUL, a name too long for the file system
                found = False
            if not found:
                raise SitegenError(f"{key} file not found: {setting[:200]!r}", config_path)
            if not path.is_relative_to(root):
                name = "logo" if key == "logo" and logo else f"branding.{key}"
                raise SitegenError(f"{name}: {setting[:200]!r} lies outside the project folder ({path}); put the "
                                   "file inside the project", config_path)
            files[key] = path
    return files


def _with_reports(client: Client, reports: list[Commentary]) -> Client:
    slugs = [(report_slug(r), r.path) for r in reports]
    _check_unique(slugs, "report")
    ordered = sorted(reports, key=lambda r: (r.period.start, r.period.end, report_slug(r)), reverse=True)
    return Client(**{**client.__dict__, "reports": tuple(ordered)})


def _check_unique(items: list[tuple[str, Path]], what: str) -> None:
    seen: dict[str, Path] = {}
    errors = []
    for slug, path in items:
        if not slug:
            errors.append(SitegenError(f"cannot make a URL slug for this {what}; set slug: in front matter", path))
        elif slug in seen:
            errors.append(SitegenError(f"{what} slug {slug!r} is also used by {seen[slug]}; "
                                       f"two {what}s would be written to one path", path))
        else:
            seen[slug] = path
    raise_all(errors)
