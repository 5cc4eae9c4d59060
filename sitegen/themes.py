"""Theme lookup: the project's `themes/<name>/` first, then the built-in theme, then `default`."""

from __future__ import annotations

from pathlib import Path

import jinja2

from sitegen.errors import SitegenError

_PACKAGED = Path(__file__).parent / "themes"  # inside an installed wheel
_SOURCE = Path(__file__).parent.parent / "themes"  # a source checkout or editable install


def builtin_themes() -> Path:
    return _PACKAGED if _PACKAGED.is_dir() else _SOURCE


def theme_dirs(project_root: Path, name: str) -> list[Path]:
    candidates = [project_root / "themes" / name, builtin_themes() / name, builtin_themes() / "default"]
    dirs = []
    for path in candidates:
        if path.is_dir() and path.resolve() not in [d.resolve() for d in dirs]:
            dirs.append(path)
    if not any(d.name == name for d in dirs):
        known = sorted(p.name for p in builtin_themes().iterdir() if p.is_dir())
        raise SitegenError(f"theme: unknown theme {name!r}; built-in themes: {', '.join(known)}",
                           project_root / "sitegen.toml")
    return dirs


def environment(dirs: list[Path]) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in dirs]),
        autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True)


def static_files(dirs: list[Path]) -> dict[str, Path]:
    """Relative path -> file; a file in an earlier (more specific) theme wins."""
    files: dict[str, Path] = {}
    for theme in reversed(dirs):
        static = theme / "static"
        if static.is_dir():
            for path in sorted(static.rglob("*")):
                if path.is_file():
                    files[path.relative_to(static).as_posix()] = path
    return dict(sorted(files.items()))
