"""The Vega, Vega-Lite and vega-embed JavaScript, bundled by vl-convert and served from the site.

Bundling takes about two seconds, so the bundle is cached per vl-convert version in the user's
cache folder (SITEGEN_CACHE_DIR overrides it); the same version always gives the same bytes.
"""

from __future__ import annotations

import hashlib
import os
import tempfile
from functools import cache
from pathlib import Path

import vl_convert

BUNDLE_NAME = "vega-bundle.js"
_engine_started = False  # vl-convert's engine runs threads: a process forked after it starts can hang


def engine_started() -> bool:
    return _engine_started


def start_engine():
    """vl_convert, noting that its engine is (about to be) running in this process."""
    global _engine_started
    _engine_started = True
    return vl_convert


def cache_dir() -> Path:
    configured = os.environ.get("SITEGEN_CACHE_DIR")
    if configured:
        return Path(configured)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "sitegen"


@cache
def code_fingerprint() -> str:
    """What identifies this sitegen: its package files (themes aside: they are read by path)."""
    package = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(package.rglob("*")):
        relative = path.relative_to(package)
        if path.is_file() and "__pycache__" not in relative.parts and relative.parts[0] != "themes":
            digest.update(relative.as_posix().encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def store(path: Path, data: bytes) -> None:
    """Write a cache file in one step; a cache that cannot be written only costs time."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
            tmp.write(data)
        os.replace(tmp.name, path)
    except OSError:
        pass


@cache
def vega_bundle() -> bytes:
    path = cache_dir() / f"vega-bundle-{vl_convert.__version__}.js"
    if path.is_file():
        return path.read_bytes()
    data = start_engine().javascript_bundle().encode("utf-8")
    store(path, data)
    return data
