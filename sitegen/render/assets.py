"""The Vega, Vega-Lite and vega-embed JavaScript, bundled by vl-convert and served from the site (no CDN: the
pages work offline and from file://).

Bundling takes a while, so the bundle is kept per vl-convert version in the user's cache (`sitegen.storage`);
the same version always gives the same bytes. vl-convert is imported only when it is needed: a build that
finds the bundle in the cache and draws no chart image does not load it.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import version
from types import ModuleType

from sitegen.storage import keep, user_cache

BUNDLE_NAME = "vega-bundle.js"
_engine_started = False  # vl-convert's engine runs threads: a process forked after it starts can hang


def engine_started() -> bool:
    return _engine_started


def start_engine() -> ModuleType:
    """vl_convert, noting that its engine is (about to be) running in this process."""
    global _engine_started
    import vl_convert

    _engine_started = True
    return vl_convert


@cache
def vega_bundle() -> bytes:
    path = user_cache() / f"vega-bundle-{version('vl-convert-python')}.js"
    if path.is_file():
        return path.read_bytes()
    data = start_engine().javascript_bundle().encode("utf-8")
    keep(path, data)
    return data
