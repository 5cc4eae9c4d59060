"""The default theme's most used partials (`partials/chart.html`, `kpi_card.html`, `table.html`)
written directly as HTML, the same bytes Jinja would render from them, while the theme's partial is the
shipped file itself (checked by its SHA-256): a report shows about a thousand cells, cards and charts, and
rendering them through Jinja costs more than the rest of the page. A theme's own partial, or an edited one,
is always rendered by Jinja. tests/test_partials.py renders both ways and compares the bytes."""

from __future__ import annotations

import hashlib
import os
import re
from functools import lru_cache

import jinja2
from markupsafe import Markup, escape

from sitegen.i18n import _
from sitegen.render.tables import RenderedTable
from sitegen.render.themes import builtin_themes

# partials/table.html of the default theme, written directly (pages.py uses it while the theme's
# partial is that file); tests/test_tables.py renders both and compares
_SPECIAL = re.compile(r"[&<>\"']")


def html_text(text) -> str:
    """markupsafe.escape(text) as a plain str, without making a Markup when nothing needs escaping."""
    if type(text) is str and _SPECIAL.search(text) is None:
        return text
    return str(escape(text))


_PLAIN_FORMAT = re.compile(r"(?:[^%]|%%|%\([A-Za-z_][A-Za-z0-9_]*\)s)*")


@lru_cache(maxsize=1024)
def _plain_format(text: str) -> bool:
    """Only %(name)s and %%: then `text % escaped values` is what Markup(text) % values gives."""
    return _PLAIN_FORMAT.fullmatch(text) is not None


def isolated(text: str) -> Markup:
    """Text from data as HTML isolated for direction (`<bdi>`): a right-to-left override in a title turns only the
    title, not the sentence or row around it."""
    return Markup("<bdi>%s</bdi>") % text


def gettext_html(message: str, **values) -> str:
    """{{ _(message, **values) }} in a theme template: Jinja's newstyle gettext with autoescaping, which
    trusts the translation and escapes the values (str(Markup(_(message)) % values))."""
    text = _(message)
    if _plain_format(text):
        return text % {k: html_text(v) for k, v in values.items()}
    return str(Markup(text) % values)


def _escaped(texts: list[str]) -> list[str]:
    if set(map(type, texts)) <= {str} and _SPECIAL.search("".join(texts)) is None:
        return texts
    return [str(escape(t)) for t in texts]


def table_html(table: RenderedTable) -> str:
    title = html_text(table.title)
    out = [f'<div class="table-wrap" role="group" aria-label="{title}" tabindex="0">\n'
           f'<table class="data-table table-{html_text(table.name)}">\n  <caption>{title}']
    if table.total_rows > table.shown:
        out.append(' <span class="muted">(' + gettext_html("top %(shown)s of %(total)s", shown=table.shown,
                                                           total=table.total_rows) + ")</span>")
    out.append("</caption>\n  <thead><tr>")
    out.extend(f'<th scope="col" class="{html_text(unit)}">{html_text(label)}</th>' for label, unit in table.headers)
    out.append("</tr></thead>\n  <tbody>\n")
    if table.shown:
        cells = []
        for i, ((_label, unit), texts) in enumerate(zip(table.headers, table.columns)):
            keys = table.keys[i] if table.keys else None
            start, end = f'<td class="{html_text(unit)}">', "</td>"
            if unit == "text":  # text from data: isolated, so that its direction cannot turn the row around
                start, end = start + "<bdi>", "</bdi>" + end
            if keys is None:
                cells.append([start + text + end for text in _escaped(texts)])
            else:  # (keys are numbers and ISO days: nothing to escape)
                head = f'<td class="{html_text(unit)}" data-value="'
                cells.append([f'{head}{key}">{text}{end}' for text, key in zip(_escaped(texts), keys)])
        out.extend("    <tr>" + "".join(row) + "</tr>\n" for row in zip(*cells))
    else:
        out.append(f'    <tr><td colspan="{len(table.headers)}" class="muted">'
                   f'{gettext_html("No data in this period.")}</td></tr>\n')
    out.append("  </tbody>\n</table>\n</div>\n")
    return "".join(out)


SHIPPED = builtin_themes() / "default" / "templates"
# the default theme's partials that pages.py writes itself, by the SHA-256 of the file it writes the same
# bytes as; a changed file (or a theme's own) is rendered by Jinja (tests/test_tables.py checks these)
WRITTEN_PARTIALS = {
    "partials/chart.html": "34f6f7d7732091da54a541b594c6c20903dddea6feec0ea7eb360deb30f7f5be",
    "partials/kpi_card.html": "3f2e0a74ced1674dfbff6fa96bbc1e7fce0fd2efdb407e10367e108fa0d4db34",
    "partials/table.html": "f04917e78002ea909b350709e619992f27dc6243739ea6993b7bddc9d4c2e174",
}
_checked: dict[tuple[int, str], tuple] = {}  # (id of env, name) -> (env, is it shipped, uptodate)


def shipped(env: jinja2.Environment, name: str) -> bool:
    """Is the theme's template `name` the default theme's own file as pages.py knows it? Then its HTML is
    written directly, not rendered by Jinja. The file is the one Jinja's loader finds (a theme's own partial,
    or an edited one, is always Jinja's), looked up again whenever it changes, and never compiled here."""
    known = _checked.get((id(env), name))
    if known is not None and known[0] is env and (known[2] is None or known[2]()):
        return known[1]
    try:
        source, filename, uptodate = env.loader.get_source(env, name)
    except jinja2.TemplateNotFound:
        return False  # Jinja says so when it renders it
    shipped = filename is not None and os.path.normpath(filename) == os.path.normpath(SHIPPED / name) and \
        hashlib.sha256(source.encode("utf-8")).hexdigest() == WRITTEN_PARTIALS[name]
    _checked[(id(env), name)] = (env, shipped, uptodate)
    return shipped


def chart_html(chart_id: str, title: str, image: str | None, spec: Markup | None,
               table: RenderedTable | None, summary: str | None, name: str = "chart") -> str:
    """partials/chart.html of the default theme (`name`: the chart kind, the downloads' file name)."""
    chart_id, title = escape(chart_id), escape(title)
    if not spec:
        empty = gettext_html("%(title)s: no data in this period.", title=title)
        return f'<figure class="chart" id="{chart_id}">\n  <p class="chart-empty muted">{empty}</p>\n</figure>\n'
    out = [f'<figure class="chart" id="{chart_id}">\n'
           f'  <figcaption class="visually-hidden" id="{chart_id}-title">{title}</figcaption>\n'
           f'  <div class="chart-view" role="img" aria-label="{title}" aria-labelledby="{chart_id}-title" '
           f'data-spec="{chart_id}-spec"></div>\n'
           f'  <script type="application/json" id="{chart_id}-spec">{escape(spec)}</script>\n']
    if image:
        image = escape(image)
        out.append(f'  <img class="chart-static" src="{image}" alt="{title}" loading="lazy">\n'
                   f'  <noscript><img class="chart-noscript" src="{image}" alt="{title}"></noscript>\n')
    else:
        out.append(f'  <noscript><p class="muted">{gettext_html("Charts need JavaScript.")}</p></noscript>\n')
    out.append(f'  <details class="chart-menu" data-file="{escape(name or "chart")}" hidden><summary>'
               f'{gettext_html("Download")}<span class="visually-hidden"> {title}</span></summary>\n'
               f'  <div class="chart-menu-items"><button type="button" data-download="csv">'
               f'{gettext_html("Data (CSV)")}</button> <button type="button" data-download="png">'
               f'{gettext_html("Image (PNG)")}</button> <button type="button" data-download="svg">'
               f'{gettext_html("Image (SVG)")}</button></div>\n  </details>\n')
    if table:
        out.append(f'  <details class="chart-data"><summary>{escape(summary)}</summary>{table_html(table)}'
                   '</details>\n')
    out.append("</figure>\n")
    return "".join(out)


def card_html(card: dict) -> str:
    """partials/kpi_card.html of the default theme."""
    status = card["status"]
    out = [f'<div class="card kpi-{html_text(card["id"])}{f" target-{html_text(status)}" if status else ""}">\n'
           f'  <div class="card-label">{html_text(card["label"])}</div>\n'
           f'  <div class="card-value">{html_text(card["value"])}</div>\n'
           f'  <div class="card-change delta {html_text(card["direction"])} {html_text(card["quality"])}" '
           f'title="{gettext_html("Previous period: %(value)s", value=card["previous"])}">'
           f'{html_text(card["change"])}</div>\n']
    if card["reason"]:
        out.append(f'<div class="card-reason">{html_text(card["reason"])}</div>\n')
    if card["target"]:
        if card["prorated"]:
            target = gettext_html("Target %(target)s (pro-rated from %(monthly)s a month) · %(attainment)s",
                                  target=card["target"], monthly=card["prorated"], attainment=card["attainment"])
        else:
            target = gettext_html("Target %(target)s · %(attainment)s", target=card["target"],
                                  attainment=card["attainment"])
        out.append(f'<div class="card-target">{target}')
        if status == "beaten":
            out.append(f' <span class="badge beaten">{gettext_html("beaten")}</span>')
        elif status == "missed":
            out.append(f' <span class="badge missed">{gettext_html("missed")}</span>')
        out.append("</div>")
    out.append("</div>\n")
    return "".join(out)
