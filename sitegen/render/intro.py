"""The site's index page (content/index.md): its markdown below the front matter (no pandas: a build that
finds nothing changed reads it too)."""

from __future__ import annotations

import codecs
from pathlib import Path

from sitegen.errors import SitegenError
from sitegen.project.frontmatter import front_matter


def intro_source(index_md: Path) -> tuple[str, int]:
    """The markdown of the site's index.md below its front matter, and the file line it starts on."""
    raw = index_md.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        at = exc.start + (3 if raw.startswith(codecs.BOM_UTF8) else 0)  # (utf-8-sig counts after its BOM)
        raise SitegenError(f"found byte 0x{raw[at]:02X}, which is not UTF-8 text, expected UTF-8 (save the "
                           "file as UTF-8)", index_md, raw.count(b"\n", 0, at) + 1) from None
    _, start = front_matter(text, index_md)
    return "\n".join(text.splitlines()[start:]), start + 1
