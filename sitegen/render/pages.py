"""The site's index page and each client's page, and what every page's template sees (site, brand, language).

Every value that comes from data or config reaches HTML through Jinja's autoescaping."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import jinja2
from markupsafe import Markup

from sitegen import __version__
from sitegen.errors import SitegenError
from sitegen.i18n import language, speaking
from sitegen.metrics.periods import Period
from sitegen.metrics.ratios import Number
from sitegen.project.contrast import text_colour
from sitegen.project.model import BRAND_FILES, Client, Project
from sitegen.render.changes import client_changes
from sitegen.render.files import ASSETS
from sitegen.render.formatting import Formatter
from sitegen.render.sharing import client_sharing, headline, index_sharing, page_url


@dataclass(frozen=True)
class ReportEntry:
    """A report as its client's page lists it."""

    title: str
    slug: str
    period: Period
    alerts: int  # critical alerts and warnings
    headline: tuple[tuple[str, Number], ...] = ()  # the first summary KPIs and their values


def brand(project: Project, client: Client | None, root: str) -> dict:
    """Branding for a page `root` below the site's root: a client's own files win over the site's."""
    branding = client.branding if client else project.site.branding
    urls = {}
    client_folder = root if project.split else f"{root}{client.site_dir}/" if client else ""
    for key, name in BRAND_FILES.items():
        if client and key in client.brand_files:
            urls[key] = f"{client_folder}{name}{client.brand_files[key].suffix.lower()}"
        elif key in project.brand_files:
            urls[key] = f"{root}{ASSETS}/{name}{project.brand_files[key].suffix.lower()}"
    font = branding.font
    if "font_file" in urls:
        font = '"Brand", ' + (font or "system-ui, sans-serif")
    primary = branding.primary_color or "#0f766e"
    return {"agency": branding.agency, "primary": primary, "text": text_colour(primary),
            "accent": branding.accent_color or "#f97316", "font": font, "logo": urls.get("logo"),
            "favicon": urls.get("favicon"), "font_url": urls.get("font_file"), "footer": branding.footer}


def site_context(project: Project) -> dict:
    return {"title": project.site.title, "version": __version__}


def html_lang(locale: str) -> str:
    return locale.replace("_", "-")


def render_template(env: jinja2.Environment, template: str, context: dict, source: Path | None = None) -> bytes:
    try:
        return env.get_template(template).render(context).encode("utf-8")
    except jinja2.TemplateSyntaxError as exc:
        raise SitegenError(f"template syntax error: {exc.message}", exc.filename or template, exc.lineno) from None
    except jinja2.TemplateError as exc:
        raise SitegenError(f"template error while rendering {source or template}: {exc}", template) from None


def render_client(env: jinja2.Environment, project: Project, client: Client, entries: list[ReportEntry],
                  trends: dict | None = None, published: dict[str, dict] | None = None) -> bytes:
    """The client's page; `trends`: the template's trend charts and table of periods (`client_trends`);
    `published`: the record's entry of each report after this build (render.published)."""
    with speaking(language(client.locale)):
        fmt = Formatter(client.locale, client.currency)
        reports = [{"title": r.title, "url": f"{client.report_dir(r.slug)}/index.html",
                    "period": f"{fmt.date(r.period.start)} – {fmt.date(r.period.end)}", "alerts": r.alerts}
                   for r in entries]
        root = "" if project.split else "../"
        context = {"site": site_context(project), "brand": brand(project, client, root), "root": root,
                   "split": project.split or client.private,
                   "lang": html_lang(client.locale), "client": {"name": client.name, "slug": client.slug},
                   "page": _client_sharing(project, client, fmt, entries), "reports": reports,
                   "changes": client_changes(fmt, published or {}, {r.slug: r.title for r in entries},
                                             client.report_dir),
                   "trend_charts": [], "periods": None, "has_charts": False, **(trends or {})}
        return render_template(env, "client.html", context)


def render_index(env: jinja2.Environment, project: Project, intro: Markup, report_counts: dict[str, int], *,
                 clients: tuple[Client, ...] | None = None, root: str = "", private_note: bool = False) -> bytes:
    """The index of `clients` (default: all), for a page `root` below the site's root (the agency's index lies
    beside the output); `private_note`: say that the site's other reports are private."""
    with speaking(language(project.site.locale)):
        listed = [{"name": c.name, "url": f"{root}{c.site_dir}/index.html", "reports": report_counts.get(c.slug, 0)}
                  for c in sorted(project.clients if clients is None else clients,
                                  key=lambda c: (c.name.casefold(), c.slug))]
        context = {"site": site_context(project), "brand": brand(project, None, root), "root": root, "split": False,
                   "lang": html_lang(project.site.locale), "clients": listed, "intro": intro,
                   "private_note": private_note,
                   "page": index_sharing(project.site.title, page_url(project.site.base_url, "index.html", False))}
        return render_template(env, "index.html", context)


def _client_sharing(project: Project, client: Client, fmt: Formatter, entries: list[ReportEntry]) -> dict:
    url = page_url(project.site.base_url, f"{client.site_dir}/index.html", project.split)
    if not entries:
        return client_sharing(project.site.title, client.name, None, None, "", url)
    latest = max(entries, key=lambda e: (e.period.end, e.period.start))
    span = f"{fmt.date(min(e.period.start for e in entries))} – {fmt.date(max(e.period.end for e in entries))}"
    return client_sharing(project.site.title, client.name, span, latest.title, headline(fmt, latest.headline), url)


def render_locked(env: jinja2.Environment, project: Project, path: str, envelope: dict) -> bytes:
    """The locked page at `path` that carries a sealed page: the agency's brand and language only, nothing of the
    client's."""
    depth = path.count("/") - (1 if project.split else 0)
    root = "../" * depth
    with speaking(language(project.site.locale)):
        context = {"site": site_context(project), "brand": brand(project, None, root), "root": root,
                   "lang": html_lang(project.site.locale), "sealed": Markup(json.dumps(envelope, sort_keys=True))}
        return render_template(env, "locked.html", context)
