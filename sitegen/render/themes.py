"""Themes: a manifest (`theme.toml`), Jinja templates and static files, resolved along `extends`.

A theme named N is looked up in the project's `themes/N/` and in the built-in themes; the project's
folder overrides any template or static file of the built-in one. Its manifest may say
`extends = "P"` (a theme other than `default` extends `default` unless it says otherwise), and the
lookup continues in P. A template can extend its parent's version of itself by naming the theme:
`{% extends "default:report.html" %}` is report.html as the default theme ships it.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from sitegen.errors import SitegenError
from sitegen.i18n import translator
from sitegen.project.settings import check_relative_path

_PACKAGE = Path(__file__).parents[1]
_PACKAGED = _PACKAGE / "themes"  # inside an installed wheel
_SOURCE = _PACKAGE.parent / "themes"  # a source checkout or editable install
MANIFEST = "theme.toml"
MANIFEST_KEYS = {"name", "extends", "description", "variables"}
# the templates each kind of page is rendered from by name; what they include is found from their source
PAGE_TEMPLATES = {
    "report": ("report.html", "partials/chart.html", "partials/alerts.html", "partials/table.html", "locked.html"),
    "client": ("client.html", "partials/chart.html", "partials/table.html", "locked.html"),
    "index": ("index.html",),
}


def builtin_themes() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _SOURCE


@dataclass(frozen=True)
class Theme:
    name: str
    levels: tuple[tuple[str, tuple[Path, ...]], ...]  # (theme, its folders: project's first), child first
    variables: dict[str, Any] = field(default_factory=dict, hash=False)  # compared, not hashed (a dict)

    @property
    def dirs(self) -> list[Path]:
        """Every folder, most specific first."""
        return [d for _, folders in self.levels for d in folders]


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise SitegenError(f"theme manifest is not valid TOML: {exc}", path) from None
    unknown = sorted(set(data) - MANIFEST_KEYS)
    if unknown:
        raise SitegenError(f"unknown theme manifest key {unknown[0]!r}; known: {', '.join(sorted(MANIFEST_KEYS))}",
                           path)
    if not isinstance(data.get("extends", ""), str) or not isinstance(data.get("variables", {}), dict):
        raise SitegenError("theme manifest: extends must be a theme name and [variables] a table", path)
    return data


def resolve_theme(project_root: Path, name: str, overrides: dict[str, Any] | None = None) -> Theme:
    """The theme `name` with everything it extends; `overrides` are the site's theme variables."""
    levels: list[tuple[str, tuple[Path, ...]]] = []
    variables: list[dict[str, Any]] = []
    current: str | None = name
    while current is not None:
        if current in (n for n, _ in levels):
            chain = " → ".join([*(n for n, _ in levels), current])
            raise SitegenError(f"theme: themes extend each other in a circle ({chain})", project_root / "sitegen.toml")
        folders = _theme_folders(project_root, current)
        if not folders:
            known = sorted(p.name for p in builtin_themes().iterdir() if p.is_dir())
            raise SitegenError(f"theme: unknown theme {current!r}; built-in themes: {', '.join(known)}",
                               project_root / "sitegen.toml")
        manifests = [_read_manifest(f / MANIFEST) for f in folders if (f / MANIFEST).is_file()]
        levels.append((current, folders))
        variables.append({k: v for m in reversed(manifests) for k, v in m.get("variables", {}).items()})
        parent = next((m["extends"] for m in manifests if m.get("extends")), None)
        current = parent or (None if current == "default" else "default")
    merged = {k: v for level in reversed(variables) for k, v in level.items()}
    return Theme(name, tuple(levels), {**merged, **(overrides or {})})


def _theme_folders(project_root: Path, name: str) -> tuple[Path, ...]:
    """The folders of the theme `name`: the project's themes/<name>, which must lie inside the project, links
    followed, and the built-in one."""
    settings = project_root / "sitegen.toml"
    try:
        check_relative_path(name, up=False)
    except ValueError as exc:
        raise SitegenError(f"theme: {exc}", settings) from None
    own, builtin = project_root / "themes" / name, builtin_themes() / name
    if own.is_dir() and not own.resolve().is_relative_to(project_root.resolve()):
        raise SitegenError(f"theme: {name!r} lies outside the project folder ({own.resolve()}); put the theme in "
                           "the project's themes/ folder", settings)
    return tuple(p for p in (own, builtin) if p.is_dir())


def loader(theme: Theme) -> jinja2.BaseLoader:
    """Plain names along the whole chain; `theme:name` from that theme as it ships and its parents."""
    plain = jinja2.FileSystemLoader([str(d / "templates") for d in theme.dirs])
    by_theme = {}
    for i, (name, folders) in enumerate(theme.levels):
        shipped = folders[-1:]  # the built-in folder if there is one, else the project's own
        rest = [d for _, fs in theme.levels[i + 1:] for d in fs]
        by_theme[name] = jinja2.FileSystemLoader([str(d / "templates") for d in (*shipped, *rest)])
    return jinja2.ChoiceLoader([plain, jinja2.PrefixLoader(by_theme, delimiter=":")])


def environment(theme: Theme, extensions: tuple[str, ...] = ()) -> jinja2.Environment:
    return jinja2.Environment(
        loader=loader(theme), extensions=list(extensions),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)


@cache
def page_environment(theme: Theme, lang: str) -> jinja2.Environment:
    """The theme's templates with the language's words and the theme's variables, made once a process."""
    env = environment(theme, ("jinja2.ext.i18n",))
    words = translator(lang)
    env.install_gettext_callables(words.gettext, words.ngettext, newstyle=True)
    env.globals["theme"] = {"name": theme.name, **theme.variables}
    return env


def static_files(theme: Theme) -> dict[str, Path]:
    """Relative path -> file; a file in an earlier (more specific) folder wins."""
    files: dict[str, Path] = {}
    for folder in reversed(theme.dirs):
        static = folder / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    files[path.relative_to(static).as_posix()] = path
    return dict(sorted(files.items()))


def template_files(theme: Theme) -> list[Path]:
    """Every template file of the chain (what a change to any of them could affect)."""
    return [p for d in theme.dirs for p in sorted((d / "templates").rglob("*")) if p.is_file()]
