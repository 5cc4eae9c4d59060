"""What a page says when its link is shared: its <title>, description and Open Graph tags (base.html writes
them, escaped). A page names only its own client: the index of all clients names none."""

from __future__ import annotations

from collections.abc import Sequence

from sitegen.i18n import N_, _
from sitegen.metrics.catalogue import KPIS
from sitegen.metrics.ratios import Number
from sitegen.render.formatting import Formatter

HEADLINE_KPIS = 3  # the first summary KPIs a description quotes


def headline(fmt: Formatter, figures: Sequence[tuple[str, Number]]) -> str:
    """'Likes 12,345 · Views 1.2M · Engagement rate 5.1%': the first summary KPIs with their values."""
    return " · ".join(f"{_(KPIS[kpi].label)} {fmt.kpi(kpi, value)}" for kpi, value in figures[:HEADLINE_KPIS])


def page_url(base_url: str, path: str, split: bool) -> str | None:
    """The page's address for og:url: only when the site's base_url says where it is published, and not for a
    --split site (each client's site is published at an address of its own)."""
    if not base_url or split:
        return None
    return base_url.rstrip("/") + "/" + path.removesuffix("index.html")


def sharing(title: str, description: str, site_name: str, kind: str, url: str | None) -> dict:
    return {"title": title, "description": description, "site_name": site_name, "type": kind, "url": url}


def report_sharing(site_name: str, client: str, report: str, period: str, figures: str, url: str | None) -> dict:
    description = _(N_("%(client)s, %(period)s: %(figures)s")) % {"client": client, "period": period,
                                                                  "figures": figures}
    return sharing(f"{report} · {client}", description.rstrip(": "), site_name, "article", url)


def client_sharing(site_name: str, client: str, span: str | None, latest: str | None, figures: str,
                   url: str | None) -> dict:
    """The client's page: the span of its reports, and the latest report's headline figures."""
    if span is None:
        description = _(N_("%(client)s: no reports yet.")) % {"client": client}
    else:
        description = _(N_("%(client)s, reports %(span)s. Latest, %(report)s: %(figures)s")) % {
            "client": client, "span": span, "report": latest, "figures": figures}
    return sharing(f"{client} · {site_name}", description.rstrip(": "), site_name, "website", url)


def index_sharing(site_name: str, url: str | None) -> dict:
    """The index of all clients: it names none of them (its link may reach any one client)."""
    return sharing(site_name, _(N_("TikTok marketing reports by client and period.")), site_name, "website", url)
