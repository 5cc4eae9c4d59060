"""A static SVG of every chart, for printing and for readers without JavaScript.

vl-convert is slow to start and to render, so images are cached on disk (the project's cache, `svg/`) by a
hash of everything that shapes them: the spec, the locale and the vl-convert version. A rebuild renders only
charts whose data or wording changed.
"""

from __future__ import annotations

import hashlib
import json
import re
from importlib.metadata import version
from pathlib import Path

from sitegen.render.assets import start_engine
from sitegen.render.d3_locale import d3_format_locale, d3_time_locale
from sitegen.storage import keep

STATIC_WIDTH = 640  # px: the spec says "container", which an image does not have

_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _xml_safe(value):
    """Characters XML forbids, replaced: vl-convert aborts the whole process on one in a label."""
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    if isinstance(value, list):
        return [_xml_safe(v) for v in value]
    if isinstance(value, dict):
        return {k: _xml_safe(v) for k, v in value.items()}
    return value


def _render(spec: str, locale: str, currency: str) -> str:
    vl_convert = start_engine()  # (its engine starts with the first chart drawn)
    static = _xml_safe(json.loads(spec))
    static["width"] = STATIC_WIDTH
    static["background"] = "white"
    return vl_convert.vegalite_to_svg(static, format_locale=d3_format_locale(locale, currency),
                                      time_format_locale=d3_time_locale(locale))


def chart_svgs(charts: dict[str, str | None], locale: str, currency: str, cache: Path | None) -> dict[str, str]:
    """Chart name -> SVG text, for every chart that has data (`cache`: the project's cache folder, or None)."""
    images = {}
    for name, spec in charts.items():
        if spec is None:
            continue
        key = hashlib.blake2b(json.dumps([spec, locale, currency, version("vl-convert-python")]).encode(),
                              digest_size=20).hexdigest()
        path = cache / "svg" / key[:2] / f"{key}.svg" if cache else None
        if path is not None and path.is_file():
            images[name] = path.read_text(encoding="utf-8")
            continue
        images[name] = _render(spec, locale, currency)
        if path is not None:
            keep(path, images[name].encode("utf-8"))
    return images

