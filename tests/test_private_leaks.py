"""Nothing of a client in the clear (issue 19, item 3): the bundled demo built with `privacy = "password"` for every
client is searched, every published byte of it, for each client's names, campaigns, videos, codes, handles,
hashtags and KPI values, in every encoding the site could hold them in. The strings are collected from the plain
build of the same project, where the same search must find them (or this test could not fail)."""

from __future__ import annotations

import base64
import binascii
import csv
import hashlib
import html
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote, quote_plus

import markupsafe
import pytest
from helpers import REPO, run_cli

from sitegen.errors import Diagnostics
from sitegen.project.discover import discover
from sitegen.project.privacy import KDF_ITERATIONS, client_token
from sitegen.render.formatting import Formatter
from sitegen.render.sealed import envelope_of, unseal

SECRET_BYTES = hashlib.sha256(b"sitegen leak test secret").digest()
SECRET = base64.urlsafe_b64encode(SECRET_BYTES).decode().rstrip("=")
PASSWORDS = {"harbor-coffee": "Espresso & <Crema> 2026!", "fjord-outdoor": "Pennine \"Way\" boots/42",
             "nordlicht-kosmetik": "Glänzend schön – Nachtcreme"}
DATA_COLUMNS = ("campaign", "ad_group", "title", "code", "creator", "hashtag", "source", "author", "trend")
MIN_LENGTH = 5
_BASE64 = re.compile(r"[A-Za-z0-9+/]+")
_DATA_URL = re.compile(r"data:[^;,\"')\s]*;base64,([A-Za-z0-9+/=]+)")


def _env() -> dict[str, str]:
    env = {"SITEGEN_SECRET": SECRET, "SITEGEN_SECRETS_FILE": "/nonexistent/sitegen-secrets.toml"}
    env.update({"SITEGEN_PASSWORD_" + slug.upper().replace("-", "_"): pw for slug, pw in PASSWORDS.items()})
    return env


@pytest.fixture(scope="module")
def private_site(tmp_path_factory) -> Path:
    """The demo, every client with privacy = "password", built by the real CLI (its output: tmp/site)."""
    root = tmp_path_factory.mktemp("private-demo")
    project = root / "demo"
    shutil.copytree(REPO / "content", project / "content")
    settings = (REPO / "sitegen.toml").read_text(encoding="utf-8")
    (project / "sitegen.toml").write_text('privacy = "password"\n' + settings, encoding="utf-8")
    run = run_cli("build", project, "--output", root / "site", env=_env())
    assert run.returncode == 0, run.stderr
    return root / "site"


def published_texts(site: Path) -> dict[str, str]:
    """Every file of the site (UTF-8, undecodable bytes kept as surrogates), and every base64 data: URL found in
    one, decoded (a file embedded in the clear is as published as the page that holds it)."""
    texts = {}
    for path in sorted(site.rglob("*")):
        if path.is_file():
            name = path.relative_to(site).as_posix()
            texts[name] = path.read_bytes().decode("utf-8", "surrogateescape")
            for i, match in enumerate(_DATA_URL.finditer(texts[name])):
                try:
                    texts[f"{name}#data{i}"] = base64.b64decode(match[1]).decode("utf-8", "surrogateescape")
                except binascii.Error:
                    pass
    return texts


def encodings(text: str) -> set[str]:
    """`text` as the site could hold it: plain, HTML-escaped (Python's and Jinja's), JSON-escaped (also as Jinja's
    tojson writes it into HTML), URL-encoded."""
    as_json = json.dumps(text)[1:-1]
    in_html_json = as_json.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026") \
        .replace("'", "\\u0027")
    return {text, html.escape(text), html.escape(text, quote=False), str(markupsafe.escape(text)), as_json,
            json.dumps(text, ensure_ascii=False)[1:-1], in_html_json, quote(text), quote(text, safe=""),
            quote_plus(text)}


def _kpi_texts(fmt: Formatter, kpis: dict) -> set[str]:
    """The KPI values of a kpis.json as the pages show them, also without their currency or percent sign."""
    found = set()
    for kpi, entry in kpis.items():
        for value in (entry.get("value"), entry.get("previous")):
            if value is None:
                continue
            shown = fmt.kpi(kpi, value)
            found |= {shown, *re.findall(r"\d[\d.,\u00a0\u202f']*\d", shown), repr(value)}
    return found


def sensitive_strings(plain: Path) -> dict[str, dict[str, set[str]]]:
    """Per client slug, by kind: what its plain pages and kpis.json show, and its data files hold."""
    found: dict[str, dict[str, set[str]]] = {}
    for client in discover(REPO, Diagnostics()).clients:
        kinds = found.setdefault(client.slug, {"name": {client.name, client.slug}})
        fmt = Formatter(client.locale, client.currency)
        for path in sorted((plain / client.slug).glob("*/kpis.json")):
            data = json.loads(path.read_text(encoding="utf-8"))
            kinds["name"].add(data["client"])
            for table, column in (("campaigns", "campaign"), ("videos", "title"), ("codes", "code"),
                                  ("sources", "source"), ("hashtags", "hashtag"), ("creators", "creator"),
                                  ("trends", "trend")):
                kinds.setdefault(column, set()).update(row[column] for row in data[table] if row.get(column))
            kinds.setdefault("kpi", set()).update(_kpi_texts(fmt, data["kpis"]))
        for path in sorted(client.data_dir.glob("*.csv")):
            with path.open(encoding="utf-8-sig", newline="") as file:
                for row in csv.DictReader(file):
                    for column in DATA_COLUMNS:
                        if row.get(column):
                            kinds.setdefault(column, set()).add(row[column])
    return found


def distinctive(strings: dict[str, dict[str, set[str]]], public: str) -> dict[str, dict[str, set[str]]]:
    """The strings of at least MIN_LENGTH characters that the public parts of the site (its assets, the agency's
    name, the site's title and footer, the locked pages' numbers) do not hold anyway."""
    public_folded = public.casefold()
    return {slug: {kind: {s for s in values if len(s) >= MIN_LENGTH and s.casefold() not in public_folded}
                   for kind, values in kinds.items()}
            for slug, kinds in strings.items()}


def public_text(plain: Path) -> str:
    site = discover(REPO, Diagnostics()).site
    texts = [p.read_bytes().decode("utf-8", "surrogateescape") for p in sorted((plain / "assets").rglob("*"))
             if p.is_file()]
    # and what every locked page carries in the clear: the KDF's iteration count
    return "\0".join([*texts, site.title, site.branding.agency or "", site.branding.footer or "", str(KDF_ITERATIONS)])


class Haystack:
    """The published texts, joined once to search them for many needles."""

    def __init__(self, texts: dict[str, str]):
        self.texts = texts
        self.joined = "\0".join(f"\0{name}\0{text}" for name, text in texts.items())
        self.folded = self.joined.casefold()

    def holds(self, needle: str, fold: bool = False) -> bool:
        """Is `needle` published? A short one made of base64 characters only counts where it is not part of a
        longer run of them (inside ciphertext it turns up by chance)."""
        big = self.folded if fold else self.joined
        needle = needle.casefold() if fold else needle
        if needle not in big:
            return False
        if len(needle) < 12 and _BASE64.fullmatch(needle):
            return re.search(rf"(?<![A-Za-z0-9+/]){re.escape(needle)}(?![A-Za-z0-9+/])", big) is not None
        return True

    def found(self, needles: set[str], fold: bool = False) -> dict[str, list[str]]:
        """needle -> (some of) the files that hold it, for the needles published."""
        fold_ = (lambda t: t.casefold()) if fold else (lambda t: t)
        return {n: [name for name, text in self.texts.items() if fold_(n) in fold_(text)][:3]
                for n in sorted(needles) if self.holds(n, fold)}


@pytest.fixture(scope="module")
def needles(demo_output) -> dict[str, dict[str, set[str]]]:
    return distinctive(sensitive_strings(demo_output), public_text(demo_output))


def _encoded(kinds: dict[str, set[str]]) -> set[str]:
    return {form for values in kinds.values() for s in values for form in encodings(s)}


def test_no_client_string_is_published_in_any_encoding(private_site, needles):
    texts = published_texts(private_site)
    assert {"robots.txt", ".sitegen-output", "index.html"} <= set(texts)
    haystack = Haystack(texts)
    leaks = {}
    for kinds in needles.values():
        leaks.update(haystack.found(_encoded(kinds)))
        leaks.update(haystack.found(_encoded({"name": kinds["name"]}), fold=True))
    assert not leaks, f"{len(leaks)} client strings published, e.g. {dict(list(leaks.items())[:10])}"


def test_the_search_finds_the_strings_in_the_plain_build(demo_output, needles):
    """The same search over the plain build finds every client's name and some of each kind: the collection is
    real, and the test above could fail."""
    haystack = Haystack(published_texts(demo_output))
    for slug, kinds in needles.items():
        for kind in ("campaign", "title", "code", "creator", "hashtag", "kpi"):
            assert kinds.get(kind), f"{slug}: no {kind} collected"
            assert any(haystack.holds(form) for s in kinds[kind] for form in encodings(s)), \
                f"{slug}: no {kind} found in the plain build"
        for name in kinds["name"]:
            assert any(haystack.holds(form) for form in encodings(name)), f"{name!r} not found in the plain build"


def test_the_secret_and_passwords_are_in_no_published_byte(private_site):
    haystack = Haystack(published_texts(private_site))
    assert not haystack.found({SECRET, SECRET_BYTES.hex()} | _encoded({"pw": set(PASSWORDS.values())}))
    raw = b"".join(p.read_bytes() for p in private_site.rglob("*") if p.is_file())
    assert SECRET_BYTES not in raw


def test_each_clients_pages_open_with_its_password_only(private_site):
    """The reports are there, sealed: each client's pages open with its password (and hold its name), not with
    another client's."""
    clients = {c.slug: c for c in discover(REPO, Diagnostics()).clients}
    slugs = sorted(PASSWORDS)
    for i, slug in enumerate(slugs):
        folder = private_site / client_token(SECRET_BYTES, slug)
        pages = sorted(folder.rglob("index.html"))
        assert len(pages) == 1 + len(clients[slug].reports)
        envelope = envelope_of(pages[-1].read_bytes())
        opened = unseal(PASSWORDS[slug], envelope)
        assert opened is not None and html.escape(clients[slug].name).encode() in opened
        assert unseal(PASSWORDS[slugs[(i + 1) % len(slugs)]], envelope) is None


def test_the_site_root_and_the_agency_index(private_site):
    robots = (private_site / "robots.txt").read_text(encoding="utf-8")
    assert "User-agent: *" in robots and "Disallow: /" in robots.splitlines()
    index = (private_site / "index.html").read_text(encoding="utf-8")
    clients = discover(REPO, Diagnostics()).clients
    for client in clients:
        for form in encodings(client.name) | encodings(client.slug) | {client_token(SECRET_BYTES, client.slug)}:
            assert form not in index
    assert 'content="noindex, nofollow"' in index and 'content="no-referrer"' in index
    agency = private_site.parent / f"{private_site.name}-agency.html"
    assert agency.is_file() and not any(p.name == agency.name for p in private_site.rglob("*"))
    page = agency.read_text(encoding="utf-8")
    for client in clients:
        token = client_token(SECRET_BYTES, client.slug)
        assert (private_site / token / "index.html").is_file()
        assert f'href="{private_site.name}/{token}/index.html"' in page
        assert html.escape(client.name) in page
