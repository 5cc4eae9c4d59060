"""Private clients (issue 19, items 1 and 2): token folders, the secrets file and its command, the build's refusals,
link-mode pages, and sealed pages (render.sealed) with their cache and their record of published figures."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import stat
from pathlib import Path

import pytest
from helpers import REPORT, SITE_TOML, make_project, run_cli, tree_digest, write, write_csv
from helpers import build as run_build
from tiny_data import TABLES

from sitegen.build.site import BuildOptions, build
from sitegen.errors import Diagnostics
from sitegen.project.privacy import (
    KDF_ITERATIONS,
    SECRETS_FILE,
    Password,
    client_sealing,
    client_token,
    read_secrets,
)
from sitegen.render.files import OutputFile
from sitegen.render.sealed import RECORD_MAGIC, envelope_of, seal, seal_files, unseal


def _secret(seed: bytes) -> tuple[bytes, str]:
    raw = hashlib.sha256(seed).digest()
    return raw, base64.urlsafe_b64encode(raw).decode().rstrip("=")


SECRET_BYTES, SECRET = _secret(b"sitegen test secret")
OTHER_BYTES, OTHER_SECRET = _secret(b"sitegen other secret")
PASSWORD, NEW_PASSWORD = "correct horse battery", "staple & <staple> 2026"
NOV5, NOV8 = "1793836800", "1794096000"  # SOURCE_DATE_EPOCH of 5 and 8 Nov 2026


def report_dir(report: str, slug: str = "acme") -> str:
    """A password client's report folder: a name that says nothing of the report."""
    return client_sealing(SECRET_BYTES, slug, Password(PASSWORD)).report_dir(report)


OCT, SEP = report_dir("2026-10"), report_dir("2026-09")
SEPTEMBER = REPORT.replace('"October 2026"', '"September 2026"').replace('"2026-10"', '"2026-09"')


def env(secret: str = SECRET, **passwords: str) -> dict[str, str]:
    """The environment of a private build: the secret, passwords by slug, and no secrets file."""
    return {"SITEGEN_SECRET": secret, "SITEGEN_SECRETS_FILE": "/nonexistent/.sitegen-secrets.toml",
            **{"SITEGEN_PASSWORD_" + slug.upper().replace("-", "_"): pw for slug, pw in passwords.items()}}


@pytest.fixture
def private_env(monkeypatch):
    """Set the environment of a private build for an in-process build (the previous one comes back after)."""
    def use(values: dict[str, str]) -> None:
        for name, value in values.items():
            monkeypatch.setenv(name, value)
    return use


def clients_project(root: Path, clients: dict[str, str], site: str = "", reports: dict[str, str] | None = None) -> Path:
    """A project of the tiny dataset for each client slug, with its client.toml."""
    for slug, toml in clients.items():
        make_project(root, client=slug, client_toml=toml, site_toml=SITE_TOML + site, reports=reports)
    return root


def one_error(run) -> str:
    """The only line of a failed run: exit 2, one `error:` line, no traceback."""
    assert run.returncode == 2, (run.returncode, run.stderr)
    assert "Traceback" not in run.stderr
    assert len(run.error_lines) == 1 and len(run.stderr.strip().splitlines()) == 1, run.stderr
    return run.error_lines[0]


def opened(page: Path, password: str = PASSWORD) -> str | None:
    envelope = envelope_of(page.read_bytes())
    assert envelope is not None, f"{page} is not a locked page"
    plain = unseal(password, envelope)
    return None if plain is None else plain.decode("utf-8")


# tokens


def test_a_token_has_at_least_128_bits_and_depends_on_the_secret_and_the_slug():
    token = client_token(SECRET_BYTES, "acme")
    assert re.fullmatch(r"[a-z2-7]+", token)
    assert len(base64.b32decode(token.upper() + "=" * (-len(token) % 8))) * 8 >= 128
    assert client_token(SECRET_BYTES, "acme") == token
    assert client_token(OTHER_BYTES, "acme") != token
    assert client_token(SECRET_BYTES, "acme-2") != token


def test_a_link_clients_folder_is_stable_across_builds_and_changes_with_the_secret(tmp_path, private_env):
    root = make_project(tmp_path / "p", site_toml=SITE_TOML + 'privacy = "link"\n')
    out = tmp_path / "out"
    private_env(env())
    build(root, BuildOptions(output=out))
    token = client_token(SECRET_BYTES, "acme")
    assert (out / token / "2026-10" / "index.html").is_file() and not (out / "acme").exists()
    first = tree_digest(out)
    build(root, BuildOptions(output=out, use_cache=False))
    assert tree_digest(out) == first
    private_env(env(OTHER_SECRET))
    build(root, BuildOptions(output=out))
    assert (out / client_token(OTHER_BYTES, "acme") / "index.html").is_file() and not (out / token).exists()


# the secrets file and `sitegen secret`


def test_secret_init_writes_an_owner_only_file_ignored_by_git_and_rotates_only_when_asked(tmp_path):
    root = make_project(tmp_path / "p")
    no_env = {"SITEGEN_SECRET": "", "SITEGEN_SECRETS_FILE": str(root / SECRETS_FILE)}
    run = run_cli("secret", "init", root, env=no_env)
    assert run.returncode == 0, run.stderr
    path = root / SECRETS_FILE
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert f"/{SECRETS_FILE}" in (root / ".gitignore").read_text().splitlines()
    first = read_secrets(root, root / "output", Diagnostics()).secret
    assert first is not None and len(first) >= 32

    assert "secret" in one_error(run_cli("secret", "init", root, env=no_env))
    assert read_secrets(root, root / "output", Diagnostics()).secret == first

    run = run_cli("secret", "password", "acme", root, "--generate", env=no_env)
    assert run.returncode == 0, run.stderr
    password = run.stdout.strip()
    assert len(password) >= 12
    run = run_cli("secret", "init", root, "--rotate", env=no_env)
    assert run.returncode == 0, run.stderr
    secrets = read_secrets(root, root / "output", Diagnostics())
    assert secrets.secret not in (None, first) and secrets.password("acme").text == password
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert (root / ".gitignore").read_text().splitlines().count(f"/{SECRETS_FILE}") == 1
    assert password not in run.stdout + run.stderr and SECRET not in run.stdout


# what a private build refuses, in one line


def _refusal_cases(root: Path) -> dict[str, tuple[str, dict[str, str], list[str], str]]:
    """name -> (client.toml and sitegen.toml additions, environment, extra arguments, expected in the message)."""
    inside_content = root / "content" / "secrets.toml"
    inside_output = root.parent / "out" / "secrets.toml"
    return {
        "no secret": ('privacy = "link"\n', env(""), [], "secret"),
        "no password": ('privacy = "password"\n', env(), [], "no password"),
        "short password": ('privacy = "password"\n', env(acme="eleven char"), [], "at least 12"),
        "password in client.toml": ('privacy = "password"\npassword = "a long enough password"\n',
                                    env(acme=PASSWORD), [], "password"),
        "password in sitegen.toml": ("", env(acme=PASSWORD), [], "password"),
        "secrets file in content": ('privacy = "link"\n', {**env(""), "SITEGEN_SECRETS_FILE": str(inside_content)},
                                    [], "content/"),
        "secrets file in output": ('privacy = "link"\n', {**env(""), "SITEGEN_SECRETS_FILE": str(inside_output)},
                                   [], "output"),
        "agency index in output": ('privacy = "link"\n', env(),
                                   ["--agency-index", str(root.parent / "out" / "agency.html")], "agency"),
    }


@pytest.mark.parametrize("case", list(_refusal_cases(Path("/p"))))
def test_a_private_build_stops_with_one_line(tmp_path, case):
    root = tmp_path / "p"
    toml, environment, extra, expected = _refusal_cases(root)[case]
    site = 'password = "a long enough password"\n' if case == "password in sitegen.toml" else ""
    clients_project(root, {"acme": 'name = "Acme"\n' + toml}, site=site)
    if "SITEGEN_SECRETS_FILE" in environment and "secrets file" in case:
        write(Path(environment["SITEGEN_SECRETS_FILE"]), f'secret = "{SECRET}"\n')
    line = one_error(run_build(root, tmp_path / "out", *extra, env=environment))
    assert expected in line
    assert PASSWORD not in line and "a long enough password" not in line and SECRET not in line
    if case != "agency index in output":  # (that one is refused after the site was published: see below)
        assert not (tmp_path / "out" / "index.html").exists()


def test_an_agency_index_in_the_output_is_refused_before_anything_is_published(tmp_path):
    root = clients_project(tmp_path / "p", {"acme": 'name = "Acme"\nprivacy = "link"\n'})
    one_error(run_build(root, tmp_path / "out", "--agency-index", tmp_path / "out" / "agency.html", env=env()))
    assert not (tmp_path / "out").exists()


# link mode and the site's root


def test_link_pages_are_not_indexed_and_name_no_other_client_and_the_root_lists_public_ones(tmp_path, private_env):
    names = {"acme": "Acme Anvils", "globex": "Globex Gadgets", "initech": "Initech Industries"}
    root = clients_project(tmp_path / "p", {"acme": 'name = "Acme Anvils"\nprivacy = "link"\n',
                                            "globex": 'name = "Globex Gadgets"\n',
                                            "initech": 'name = "Initech Industries"\nprivacy = "password"\n'})
    out = tmp_path / "out"
    private_env(env(initech=PASSWORD))
    result = build(root, BuildOptions(output=out))
    acme = out / client_token(SECRET_BYTES, "acme")
    pages = sorted(acme.rglob("*.html"))
    assert len(pages) == 2
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '<meta name="robots" content="noindex, nofollow">' in text
        assert '<meta name="referrer" content="no-referrer">' in text
        assert "All clients" not in text and "Acme Anvils" in text
        for other in ("globex", "initech", "Globex", "Initech", client_token(SECRET_BYTES, "initech")):
            assert other not in text
    assert "Disallow: /" in (out / "robots.txt").read_text().splitlines()
    index = (out / "index.html").read_text(encoding="utf-8")
    assert "Globex Gadgets" in index and 'href="globex/index.html"' in index
    assert "Acme" not in index and "Initech" not in index and "private" in index
    assert '<meta name="robots" content="noindex, nofollow">' in index
    assert (out / "globex" / "2026-10" / "index.html").is_file()
    agency = result.agency_index
    assert agency == tmp_path / "out-agency.html"
    text = agency.read_text(encoding="utf-8")
    for slug, name in names.items():
        assert name in text
        folder = client_token(SECRET_BYTES, slug) if slug != "globex" else slug
        assert f'href="out/{folder}/index.html"' in text


def test_a_split_private_clients_folder_has_its_own_robots_file(tmp_path, private_env):
    root = make_project(tmp_path / "p", site_toml=SITE_TOML + 'privacy = "link"\n')
    private_env(env())
    build(root, BuildOptions(output=tmp_path / "out", split=True))
    folder = tmp_path / "out" / client_token(SECRET_BYTES, "acme")
    assert (folder / "index.html").is_file()
    assert "Disallow: /" in (folder / "robots.txt").read_text().splitlines()


def test_a_secrets_file_others_may_read_is_used_with_a_warning(tmp_path, monkeypatch):
    root = make_project(tmp_path / "p", site_toml=SITE_TOML + 'privacy = "password"\n')
    path = write(root / SECRETS_FILE, f'secret = "{SECRET}"\n[passwords]\nacme = "{PASSWORD}"\n')
    path.chmod(0o644)
    monkeypatch.delenv("SITEGEN_SECRET", raising=False)
    monkeypatch.delenv("SITEGEN_SECRETS_FILE", raising=False)
    result = build(root, BuildOptions(output=tmp_path / "out"))
    assert any("other users" in w and SECRETS_FILE in w for w in result.warnings)
    assert opened(tmp_path / "out" / client_token(SECRET_BYTES, "acme") / "index.html") is not None


def test_a_site_without_private_clients_has_no_robots_file_and_no_agency_index(tmp_path):
    root = make_project(tmp_path / "p")
    result = build(root, BuildOptions(output=tmp_path / "out"))
    assert result.agency_index is None and not (tmp_path / "out" / "robots.txt").exists()
    assert not (tmp_path / "out-agency.html").exists()


# render.sealed


def test_unseal_opens_with_the_right_password_only_and_every_seal_is_new():
    sealing = client_sealing(SECRET_BYTES, "acme", Password(PASSWORD))
    page = "<!doctype html><p>Acme – revenue €1,234.56</p>".encode()
    first, second = seal(sealing, page), seal(sealing, page)
    assert json.loads(json.dumps(first)) == first
    assert first["kdf"] == "PBKDF2-SHA-256" and first["iterations"] == KDF_ITERATIONS >= 600_000
    assert first["salt"] == second["salt"]  # the client's, stable while the secret is
    for field in ("file_salt", "nonce", "data"):
        assert first[field] != second[field]
    assert len(base64.b64decode(first["file_salt"])) == 16 and len(base64.b64decode(first["nonce"])) == 12
    assert unseal(PASSWORD, first) == page == unseal(PASSWORD, second)
    assert unseal(NEW_PASSWORD, first) is None
    # the salt is published: it must tell nothing of the password (with the secret, a salt made from it would test
    # a guess at the cost of one HMAC); the cache tells a new password by the fingerprint, which is never published
    renewed = client_sealing(SECRET_BYTES, "acme", Password(NEW_PASSWORD))
    assert renewed.salt == sealing.salt and renewed.fingerprint != sealing.fingerprint
    assert sealing.fingerprint not in json.dumps(first)
    assert client_sealing(OTHER_BYTES, "acme", Password(PASSWORD)).salt != sealing.salt
    assert client_sealing(SECRET_BYTES, "acme-2", Password(PASSWORD)).salt != sealing.salt


def test_sealed_files_embed_what_their_page_references_and_downloads_keep_their_names():
    sealing = client_sealing(SECRET_BYTES, "acme", Password(PASSWORD))
    page = ('<a href="kpis.json" download>JSON</a> <a href="kpis.csv">CSV</a> <img src="charts/likes.svg" alt="">'
            '<a href="../index.html">Acme</a>')
    files = [OutputFile("t/2026-10/index.html", page.encode()), OutputFile("t/2026-10/kpis.json", b'{"a": 1}'),
             OutputFile("t/2026-10/kpis.csv", b"kpi,value\n"), OutputFile("t/2026-10/charts/likes.svg", b"<svg/>"),
             OutputFile("t/2026-10/charts/unused.svg", b"<svg>unused</svg>")]
    sealed, _ = seal_files(sealing, files, {}, lambda path, envelope: json.dumps({"locked": envelope}).encode())
    assert [f.path for f in sealed] == ["t/2026-10/index.html", "t/2026-10/charts/unused.svg"]
    text = unseal(PASSWORD, json.loads(sealed[0].data)["locked"]).decode()
    data = "data:application/json;base64," + base64.b64encode(b'{"a": 1}').decode()
    assert f'<a href="{data}" download="kpis.json">' in text
    assert '<a href="data:text/csv;base64,' + base64.b64encode(b"kpi,value\n").decode() + '" download="kpis.csv">' \
        in text
    assert '<img src="data:image/svg+xml;base64,' + base64.b64encode(b"<svg/>").decode() + '" alt="">' in text
    assert '<a href="../index.html">' in text  # a page, not a file of the client: left as it is
    assert unseal(PASSWORD, json.loads(sealed[1].data)) == b"<svg>unused</svg>"


def _password_project(root: Path, site: str = "") -> Path:
    return make_project(root, reports={"2026-10.md": REPORT, "2026-09.md": SEPTEMBER},
                        client_toml='name = "Acme Anvils"\n',
                        site_toml=SITE_TOML + 'privacy = "password"\n' + site)


def test_a_password_clients_pages_are_locked_and_hold_their_files(tmp_path, private_env):
    root = _password_project(tmp_path / "p", "static_charts = true\n")
    out = tmp_path / "out"
    private_env(env(acme=PASSWORD))
    build(root, BuildOptions(output=out))
    folder = out / client_token(SECRET_BYTES, "acme")
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert names == sorted([f"{SEP}/index.html", f"{OCT}/index.html", "index.html", "published.json"])
    envelopes = []
    for page in folder.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        assert "Acme Anvils" not in text and "noindex" in text  # (a word alone may turn up in the ciphertext)
        assert opened(page, NEW_PASSWORD) is None
        envelopes.append(envelope_of(page.read_bytes()))
    for field in ("file_salt", "nonce"):
        assert len({e[field] for e in envelopes}) == len(envelopes) == 3
    report = opened(folder / OCT / "index.html")
    assert "Acme Anvils" in report
    match = re.search(r'<a href="data:application/json;base64,([A-Za-z0-9+/=]+)" download="kpis.json">', report)
    assert match and json.loads(base64.b64decode(match[1]))["client"] == "Acme Anvils"
    assert re.search(r'<a href="data:text/csv;base64,[A-Za-z0-9+/=]+" download="kpis.csv">', report)
    charts = re.findall(r'<img class="chart-static" src="data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)"', report)
    assert charts and all(base64.b64decode(c).lstrip().startswith((b"<svg", b"<?xml")) for c in charts)
    assert 'src="charts/' not in report and 'href="kpis.json"' not in report
    assert "data:image/svg+xml;base64," in opened(folder / "index.html")


def test_the_cache_keeps_the_ciphertext_and_a_new_password_reseals_every_page(tmp_path, private_env):
    root = _password_project(tmp_path / "p")
    out = tmp_path / "out"
    private_env(env(acme=PASSWORD))
    build(root, BuildOptions(output=out))
    first = tree_digest(out)
    build(root, BuildOptions(output=out))
    assert tree_digest(out) == first
    folder = client_token(SECRET_BYTES, "acme")
    build(root, BuildOptions(output=tmp_path / "fresh", use_cache=False))  # without the cache: sealed anew
    fresh = tree_digest(tmp_path / "fresh")
    assert all(fresh[p] != first[p] for p in first if p.startswith(folder) and p.endswith(".html"))
    assert opened(tmp_path / "fresh" / folder / "index.html") == opened(out / folder / "index.html")
    write(root / "content" / "acme" / "2026-10.md", REPORT.replace("A quiet month", "A busy month"))
    build(root, BuildOptions(output=out))
    changed = {p for p, digest in tree_digest(out).items() if first.get(p) != digest}
    # the report's page is sealed anew; the client page only if what it shows changed (the commentary's body is
    # not on it), the other report never
    assert changed == {f"{folder}/{OCT}/index.html"}
    assert "A busy month" in opened(out / folder / OCT / "index.html")
    client_page = opened(out / folder / "index.html")
    write(root / "content" / "acme" / "2026-10.md", REPORT.replace("October 2026", "October 2026, revised"))
    build(root, BuildOptions(output=out))
    again = {p for p, digest in tree_digest(out).items() if first.get(p) != digest}
    assert again == {f"{folder}/{OCT}/index.html", f"{folder}/index.html"}
    assert opened(out / folder / "index.html") == client_page.replace("October 2026", "October 2026, revised")

    before = tree_digest(out)
    private_env(env(acme=NEW_PASSWORD))
    build(root, BuildOptions(output=out))
    after = tree_digest(out)
    pages = [p for p in after if p.startswith(folder) and p.endswith(".html")]
    assert len(pages) == 3 and all(before[p] != after[p] for p in pages)
    for page in pages:
        assert opened(out / page) is None and opened(out / page, NEW_PASSWORD) is not None


def test_a_password_clients_report_names_are_not_in_its_paths(tmp_path, private_env):
    root = make_project(tmp_path / "p", reports={"glow-serum-launch.md": REPORT},
                        site_toml=SITE_TOML + 'privacy = "password"\n')
    private_env(env(acme=PASSWORD))
    build(root, BuildOptions(output=tmp_path / "out"))
    paths = [p.relative_to(tmp_path / "out").as_posix() for p in (tmp_path / "out").rglob("*")]
    assert any(p.endswith("/index.html") and p.count("/") == 2 for p in paths)
    assert not [p for p in paths if "glow-serum" in p]


def test_a_password_clients_record_is_sealed_and_still_lists_changes(tmp_path):
    root = _password_project(tmp_path / "p")
    out = tmp_path / "out"
    assert run_build(root, out, env={**env(acme=PASSWORD), "SOURCE_DATE_EPOCH": NOV5}).returncode == 0
    record = (out / client_token(SECRET_BYTES, "acme") / "published.json").read_bytes()
    assert record.startswith(RECORD_MAGIC)
    with pytest.raises(ValueError):
        json.loads(record)
    assert b"revenue" not in record and b"2026-10" not in record and b"ads.csv" not in record

    ads = [dict(r) for r in TABLES["ads"]]
    ads[0]["revenue"] = "467.5"
    write_csv(root / "content" / "acme" / "data" / "ads.csv", ads)
    run = run_build(root, out, "--explain", env={**env(acme=PASSWORD), "SOURCE_DATE_EPOCH": NOV8})
    assert run.returncode == 0, run.stderr
    assert "acme/2026-10: revenue 400.00 -> 467.50 (ads.csv changed)" in run.stdout.splitlines()


def test_a_password_for_a_client_not_in_the_project_stops_nothing(tmp_path, private_env):
    root = _password_project(tmp_path / "p")
    private_env({**env(acme=PASSWORD), "SITEGEN_PASSWORD_SOMEONE_ELSE": "short"})
    result = build(root, BuildOptions(output=tmp_path / "out"))
    assert result.reports == 2


def test_a_client_switched_from_password_to_link_starts_a_new_record_without_a_warning(tmp_path, private_env):
    root = _password_project(tmp_path / "p")
    out = tmp_path / "out"
    private_env(env(acme=PASSWORD))
    build(root, BuildOptions(output=out))
    write(root / "sitegen.toml", SITE_TOML + 'privacy = "link"\n')
    result = build(root, BuildOptions(output=out, strict=True))
    record = json.loads((out / client_token(SECRET_BYTES, "acme") / "published.json").read_bytes())
    assert set(record["reports"]) == {"2026-09", "2026-10"} and result.warnings == []


def test_a_sealed_page_holds_no_noscript_copy_of_its_charts(tmp_path, private_env):
    """A sealed page is opened by a script, so what it shows without one is dead weight (each chart image
    twice)."""
    root = _password_project(tmp_path / "p", "static_charts = true\n")
    private_env(env(acme=PASSWORD))
    build(root, BuildOptions(output=tmp_path / "out"))
    report = opened(tmp_path / "out" / client_token(SECRET_BYTES, "acme") / OCT / "index.html")
    assert "<noscript" not in report and 'class="chart-static"' in report


def test_a_changed_locked_page_reaches_every_sealed_page_and_speaks_the_sites_language(tmp_path, private_env):
    """The cache keeps a sealed page's bytes only while the locked page around it is the same: a new agency name
    (or template) locks every page anew. The locked page is the agency's: its language, not the client's."""
    root = _password_project(tmp_path / "p")
    write(root / "content" / "acme" / "client.toml", 'name = "Acme Anvils"\nlocale = "de_DE"\n')
    out = tmp_path / "out"
    private_env(env(acme=PASSWORD))
    build(root, BuildOptions(output=out))
    pages = sorted((out / client_token(SECRET_BYTES, "acme")).rglob("*.html"))
    assert all('<html lang="en-US">' in p.read_text(encoding="utf-8") for p in pages)
    write(root / "sitegen.toml", SITE_TOML + 'privacy = "password"\n[branding]\nagency = "Renamed Agency"\n')
    build(root, BuildOptions(output=out))
    assert all("<title>Renamed Agency</title>" in p.read_text(encoding="utf-8") for p in pages)
    assert "Acme Anvils" in opened(pages[-1])


def test_building_one_client_of_a_private_site_keeps_the_index_quiet(tmp_path, private_env):
    root = clients_project(tmp_path / "p", {"acme": 'name = "Acme Anvils"\nprivacy = "link"\n',
                                            "globex": 'name = "Globex Gadgets"\n'})
    write(root / "content" / "index.md", "Our clients include Acme Anvils.\n")
    private_env(env())
    build(root, BuildOptions(output=tmp_path / "out", clients=("globex",)))
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Acme" not in index and "Globex Gadgets" in index and "noindex" in index
    assert (tmp_path / "out" / "robots.txt").is_file()


def test_an_agency_index_reaching_into_the_output_by_a_detour_is_refused(tmp_path):
    root = clients_project(tmp_path / "p", {"acme": 'name = "Acme"\nprivacy = "link"\n'})
    (tmp_path / "other").mkdir()
    detour = tmp_path / "other" / ".." / "out" / "agency.html"
    one_error(run_build(root, tmp_path / "out", "--agency-index", detour, env=env()))
    assert not (tmp_path / "out").exists()


def test_the_dashboard_themes_index_of_an_all_private_site_says_so(tmp_path, private_env):
    root = clients_project(tmp_path / "p", {"acme": 'name = "Acme"\nprivacy = "link"\n'}, site='theme = "dashboard"\n')
    private_env(env())
    build(root, BuildOptions(output=tmp_path / "out"))
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "private" in index and "No clients yet" not in index and "Acme" not in index
