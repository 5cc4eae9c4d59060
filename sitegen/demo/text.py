"""The demo's words: sitegen.toml, each client.toml, the landing page and a month's commentary, written from
templates (commentary.txt) with the figures of the generated data; `{{ ... }}` in them are sitegen's live
macros and stay as they are."""

from __future__ import annotations

import json
import re
from pathlib import Path
from string import Template

from sitegen.demo.clients import ClientSpec
from sitegen.demo.data import Calendar


def toml_value(v) -> str:
    return json.dumps(v, ensure_ascii=False) if isinstance(v, str) else repr(v)


def client_toml(spec: ClientSpec) -> str:
    head = "".join(f"{k} = {toml_value(getattr(spec, k))}\n" for k in ("name", "locale", "currency", "timezone"))
    targets = "".join(f"{k} = {toml_value(v)}\n" for k, v in spec.targets.items())
    creators = "".join(f"\n[creators.{toml_value(h)}]\nfee = {toml_value(f)}\n" for h, f in spec.fees.items())
    return f'{head}\n[branding]\nprimary_color = "{spec.color}"\n{creators}\n[targets]\n{targets}'


# the bundled demo draws static chart images too; generated benchmark projects do not
STATIC_CHARTS = ("# also draw each chart as an SVG file, for print and for readers without JavaScript\n"
                 "# (off by default)\nstatic_charts = true\n")
SITE_TOML = """title = "Agency Reports — Demo"
base_url = ""
theme = "default"
locale = "en_US"
currency = "USD"
timezone = "UTC"
{static_charts}
[branding]
agency = "Northwind Social"
primary_color = "#0f766e"
accent_color = "#f97316"
footer = "Prepared by Northwind Social"

[targets]
engagement_rate = 0.05
roi = 1.5

[alerts]
spike_z = 5.0
"""
INDEX_MD = """---
title: "Client reports"
---
Monthly TikTok reports from **Northwind Social**: likes and engagement next to clicks, conversions,
revenue and ROI, with community management, discount codes and branded hashtags. Pick a client to see
their reports, each compared with the previous month and with the client's targets.
"""
MONTH_NAMES = {"en": ["January", "February", "March", "April", "May", "June", "July", "August", "September",
                      "October", "November", "December"],
               "de": ["Januar", "Februar", "März", "April", "Mai", "Juni", "Juli", "August", "September",
                      "Oktober", "November", "Dezember"]}


def load_templates() -> dict:
    """Commentary templates keyed by (language, role), from commentary.txt."""
    text = (Path(__file__).parent / "commentary.txt").read_text(encoding="utf-8")
    parts = re.split(r"^@@ (\w+) (\w+)\n", text, flags=re.M)
    return {(parts[i], parts[i + 1]): Template(parts[i + 2]) for i in range(1, len(parts), 3)}


def commentary(spec: ClientSpec, cal: Calendar, month: str, role: str, facts: dict, templates: dict) -> str:
    lang = spec.locale[:2] if spec.locale[:2] in MONTH_NAMES else "en"
    names = MONTH_NAMES[lang]

    def date(day: int) -> str:
        _, m, d = cal.labels[day].split("-")
        return {"de": f"{int(d)}. {names[int(m) - 1]}", "en_US": f"{names[int(m) - 1]} {int(d)}"}.get(
            lang if lang == "de" else spec.locale, f"{int(d)} {names[int(m) - 1]}")

    i = cal.months.index(month)
    words = dict(facts, name=spec.short or spec.name, month=names[int(month[5:]) - 1],
                 note=spec.notes[i] if i < len(spec.notes) else "", spike_date=date(facts["spike"]),
                 viral_date=date(facts["viral"]), crisis_date=date(facts["crisis"]))
    sections = f"sections: [{', '.join(spec.sections)}]\n" if spec.sections and role == "crisis" else ""
    head = f'---\ntitle: "{words["month"]} {month[:4]}"\nperiod: "{month}"\n{sections}---\n'
    body = templates[(lang, role)].substitute(words)
    return head + re.sub(r"\n{3,}", "\n\n", body).strip() + "\n"
