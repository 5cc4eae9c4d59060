"""Private reports in a real browser (Debian's chromium through Playwright): a password-protected client's pages
show only a password form, open with the right password (over http and from file://, offline) with every chart
drawn, say "Wrong password" to a wrong one or to another client's, ask once per tab, and keep their downloads; a
link-mode client's pages carry noindex and no-referrer; the live preview shows everything unencrypted."""

from __future__ import annotations

import json
import re
import shutil
from functools import partial
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest
from helpers import REPO, build, run_cli
from loopback import CHROMIUM, chromium, serving
from test_browser import CHART_COUNTS, CHART_TIMEOUT_MS, CHARTS_SETTLED, Watched, _local_only, _QuietHandler

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.is_file(), reason=f"Debian's chromium is not installed at {CHROMIUM} "
                                                      "(apt-get install chromium)"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright Python package is not installed")

SECRET = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8"  # 32 bytes, base64url
PASSWORDS = {"fjord-outdoor": "fjord-Pass-phrase-1", "harbor-coffee": "harbor-Pass-phrase-2"}
LINK_CLIENT = "nordlicht-kosmetik"
NAMES = {"fjord-outdoor": "Fjord & Sons <Outdoor>", "harbor-coffee": "Harbor Coffee Co.",
         "nordlicht-kosmetik": "Nordlicht Kosmetik"}
REPORT = "2026-10/index.html"
OTHER_REPORT = "2026-09/index.html"
# the report (or client page) a locked page opened into: then its charts can settle
OPENED = "() => !document.getElementById('sitegen-sealed') && !!document.querySelector('main h1')"


def _secrets_env() -> dict[str, str]:
    env = {"SITEGEN_SECRET": SECRET}
    for slug, password in PASSWORDS.items():
        env["SITEGEN_PASSWORD_" + slug.upper().replace("-", "_")] = password
    return env


def private_project(root: Path) -> Path:
    """The demo project with two password-protected clients and one behind an unguessable link."""
    shutil.copytree(REPO / "content", root / "content")
    shutil.copy(REPO / "sitegen.toml", root / "sitegen.toml")
    for slug in NAMES:
        toml = root / "content" / slug / "client.toml"
        privacy = "password" if slug in PASSWORDS else "link"
        toml.write_text(f'privacy = "{privacy}"\n' + toml.read_text(encoding="utf-8"), encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> SimpleNamespace:
    """The private demo project, built once by the real CLI: its output and each client's folder in it."""
    project = private_project(tmp_path_factory.mktemp("private-demo"))
    out = project.parent / "site"
    run = build(project, out, env=_secrets_env())
    assert run.returncode == 0, run.stderr
    links = run_cli("secret", "links", "--reports", project, env=_secrets_env())
    assert links.returncode == 0, links.stderr
    folders, reports = {}, {}
    for line in links.stdout.splitlines():
        slug, privacy, folder, *report = line.split("\t")
        assert privacy == ("password" if slug in PASSWORDS else "link")
        if report:  # a password client's report folders say nothing of the report
            reports[(slug, report[0])] = folder.rstrip("/").split("/")[-1]
            assert (reports[(slug, report[0])] == report[0]) == (slug not in PASSWORDS)
        else:
            folders[slug] = folder.rstrip("/")
    assert set(folders) == set(NAMES) and all(folders[slug] != slug for slug in folders)
    return SimpleNamespace(project=project, out=out, folders=folders, reports=reports)


@pytest.fixture(scope="module")
def base_url(site):
    with serving(partial(_QuietHandler, directory=str(site.out)), name="private-site-server") as url:
        yield url + "/"


@pytest.fixture(scope="module")
def browser():
    with chromium(sync_api) as launched:
        yield launched


@pytest.fixture()
def context(browser, base_url):
    ctx = browser.new_context()
    _local_only(ctx, "127.0.0.1")
    try:
        yield ctx
    finally:
        ctx.close()


def in_folder(site, slug: str, page: str) -> str:
    """`page` ("2026-10/index.html") as the client's folder holds it: its report folder may be another name."""
    report, _, rest = page.partition("/")
    return f"{site.folders[slug]}/{site.reports[(slug, report)]}/{rest}" if rest else f"{site.folders[slug]}/{page}"


def url_of(base: str, site, slug: str, page: str = REPORT) -> str:
    return base + in_folder(site, slug, page)


def locked(page, url: str):
    """Load a locked page; its password form once the script has shown it."""
    page.goto(url, wait_until="load")
    form = page.locator("form#unlock")
    form.wait_for(state="visible", timeout=CHART_TIMEOUT_MS)
    return form


def submit(page, password: str) -> None:
    page.locator("#unlock-password").fill(password)
    page.get_by_role("button", name="Open the report").click()


def drawn(watched: Watched) -> tuple[int, int, list[str]]:
    """Wait until the page opened and its charts settled: (containers, rendered, problems)."""
    page = watched.page
    page.wait_for_function(OPENED, timeout=CHART_TIMEOUT_MS)
    page.wait_for_load_state("load")
    try:
        page.wait_for_function(CHARTS_SETTLED, timeout=CHART_TIMEOUT_MS)
    except sync_api.TimeoutError:
        pass  # the counts tell what did not render
    containers, rendered = page.evaluate(CHART_COUNTS)
    return containers, rendered, watched.problems()


def wrong_password_said(page) -> str:
    """The status line once it says the password was wrong (or "opened" if the page opened instead)."""
    page.wait_for_function("() => !document.getElementById('sitegen-sealed') || /Wrong password/.test("
                           "document.getElementById('unlock-status').textContent)", timeout=CHART_TIMEOUT_MS)
    status = page.locator("#unlock-status")
    return status.inner_text() if status.count() else "opened"


def assert_still_locked(page, slug: str) -> None:
    assert page.locator("form#unlock").is_visible()
    assert page.locator("#sitegen-sealed").count() == 1
    assert page.locator("figure.chart").count() == 0
    html = page.content()
    assert "Fjord" not in html and "Harbor Coffee" not in html, f"{slug}'s locked page names a client"


@pytest.mark.parametrize("slug", sorted(PASSWORDS))
def test_locked_page_shows_a_password_form_and_no_client(site, base_url, context, slug) -> None:
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    for rel in (REPORT, "index.html"):
        locked(page, url_of(base_url, site, slug, rel))
        assert page.locator("input[type=password]").is_visible()
        html = page.content()
        for name in NAMES.values():
            for form in {name, name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;"), name[:5]}:
                assert form not in html, f"{slug}/{rel}: {form!r} on the locked page"
        assert page.title() == "Northwind Social"  # the agency, as the login page may show it
    assert watched.problems() == []


def test_right_password_opens_report_and_the_tab_asks_once(site, base_url, context) -> None:
    slug = "fjord-outdoor"
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    locked(page, url_of(base_url, site, slug))
    submit(page, PASSWORDS[slug])
    containers, rendered, problems = drawn(watched)
    assert containers > 0 and rendered == containers, f"{rendered} of {containers} charts drawn"
    assert problems == []
    assert page.locator(".report-header h1").inner_text() == "October 2026"
    assert NAMES[slug] in page.locator("body").inner_text()
    assert page.locator("nav.breadcrumbs").get_by_role("link", name="All clients").count() == 0

    # up to the client page by its breadcrumb, then to another report: no password asked (it is never typed again)
    page.locator("nav.breadcrumbs").get_by_role("link", name=NAMES[slug], exact=True).click()
    page.wait_for_url(re.compile(rf"/{site.folders[slug]}/index\.html$"))
    containers, rendered, problems = drawn(watched)
    assert page.locator("main h1").inner_text() == NAMES[slug]
    assert containers == rendered == 4 and problems == []

    page.goto(url_of(base_url, site, slug, OTHER_REPORT), wait_until="load")
    containers, rendered, problems = drawn(watched)
    assert page.locator(".report-header h1").inner_text() == "September 2026"
    assert containers > 0 and rendered == containers and problems == []


def test_wrong_password_says_so_and_shows_nothing(site, base_url, context) -> None:
    slug = "harbor-coffee"
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    locked(page, url_of(base_url, site, slug))
    submit(page, PASSWORDS[slug] + "x")
    assert "Wrong password" in wrong_password_said(page)
    assert_still_locked(page, slug)
    assert page.locator("#unlock-password").input_value() == ""
    assert page.evaluate("sessionStorage.length") == 0
    assert watched.problems() == []


def test_one_clients_password_does_not_open_anothers_pages(site, base_url, context) -> None:
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    locked(page, url_of(base_url, site, "harbor-coffee"))
    submit(page, PASSWORDS["fjord-outdoor"])
    assert "Wrong password" in wrong_password_said(page)
    assert_still_locked(page, "harbor-coffee")

    # and a tab that opened Fjord's report is asked again on Harbor's pages
    locked(page, url_of(base_url, site, "fjord-outdoor"))
    submit(page, PASSWORDS["fjord-outdoor"])
    drawn(watched)
    for rel in (REPORT, "index.html"):
        locked(page, url_of(base_url, site, "harbor-coffee", rel))
        assert_still_locked(page, "harbor-coffee")
    assert watched.problems() == []


def test_right_password_opens_report_offline_from_file_url(site, browser) -> None:
    ctx = browser.new_context(offline=True)
    _local_only(ctx, None)
    try:
        watched = Watched(ctx, None)
        page = watched.page
        locked(page, (site.out / in_folder(site, "harbor-coffee", REPORT)).as_uri())
        submit(page, PASSWORDS["harbor-coffee"])
        containers, rendered, problems = drawn(watched)
        assert containers > 0 and rendered == containers, f"{rendered} of {containers} charts drawn from file://"
        assert problems == []
        assert NAMES["harbor-coffee"] in page.locator("body").inner_text()
    finally:
        ctx.close()


def _kpis_download(site, base_url, context, slug: str):
    """Open the client's October report and download its KPIs as JSON: (the download, the watched page)."""
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    locked(page, url_of(base_url, site, slug))
    submit(page, PASSWORDS[slug])
    drawn(watched)
    link = page.locator(".downloads a[download]").first  # kpis.json, embedded in the sealed page
    assert link.get_attribute("href").startswith("data:application/json;base64,")
    with page.expect_download() as got:
        link.click()
    return got.value, watched


def test_kpis_download_of_an_opened_report_holds_the_clients_kpis(site, base_url, context) -> None:
    slug = "fjord-outdoor"
    download, watched = _kpis_download(site, base_url, context, slug)
    kpis = json.loads(Path(download.path()).read_text(encoding="utf-8"))
    ads = pd.read_csv(site.project / "content" / slug / "data" / "ads-2026-10.csv")
    assert (kpis["client"], kpis["client_slug"]) == (NAMES[slug], slug)
    assert kpis["period"] == {"start": "2026-10-01", "end": "2026-10-31"}
    assert kpis["kpis"]["spend"]["value"] == pytest.approx(ads["spend"].sum(), abs=0.005)
    assert kpis["kpis"]["impressions"]["value"] == ads["impressions"].sum()
    assert watched.problems() == []


def test_kpis_download_keeps_its_file_name(site, base_url, context) -> None:
    download, _ = _kpis_download(site, base_url, context, "harbor-coffee")
    assert download.suggested_filename == "kpis.json"


def test_link_clients_pages_are_not_indexed_and_draw_their_charts(site, base_url, context) -> None:
    folder = site.folders[LINK_CLIENT]
    watched = Watched(context, "127.0.0.1")
    page = watched.page
    for rel in ("index.html", REPORT, OTHER_REPORT):
        containers, rendered, problems = watched.charts(url_of(base_url, site, LINK_CLIENT, rel))
        assert containers > 0 and rendered == containers and problems == [], (rel, containers, rendered, problems)
        assert page.locator("meta[name=robots]").get_attribute("content") == "noindex, nofollow"
        assert page.locator("meta[name=referrer]").get_attribute("content") == "no-referrer"
        assert page.get_by_role("link", name="All clients").count() == 0
        hrefs = page.eval_on_selector_all("a[href]", "links => links.map(a => a.href)")
        outside = [h for h in hrefs if h.startswith(base_url) and h != base_url + "index.html"
                   and not h.startswith((base_url + folder + "/", base_url + "assets/"))]
        assert outside == [], f"{rel} links out of the client's folder (but to the site's front page)"
        html = page.content()
        assert all(NAMES[other] not in html for other in PASSWORDS), f"{rel} names another client"
    # the front page the brand links to names no client
    page.goto(base_url + "index.html")
    assert page.locator("main a").count() == 0
    assert all(name not in page.content() for name in NAMES.values())
    assert watched.problems() == []


@pytest.fixture(scope="module")
def preview(site):
    from test_serve import Preview
    server = Preview(site.project)
    yield f"http://{server.host}:{server.port}"
    server.stop()


def test_live_preview_shows_private_clients_unencrypted(preview, browser) -> None:
    ctx = browser.new_context()
    _local_only(ctx, "127.0.0.1")
    try:
        watched = Watched(ctx, "127.0.0.1")
        page = watched.page
        for slug, name in NAMES.items():
            containers, rendered, problems = watched.charts(f"{preview}/{slug}/")
            assert page.locator("#sitegen-sealed").count() == 0
            assert page.locator("main h1").inner_text() == name
            assert containers == rendered == 4 and problems == [], (slug, containers, rendered, problems)
        containers, rendered, problems = watched.charts(f"{preview}/fjord-outdoor/2026-10/")
        assert page.locator(".report-header h1").inner_text() == "October 2026"
        assert containers > 0 and rendered == containers and problems == []
    finally:
        ctx.close()

