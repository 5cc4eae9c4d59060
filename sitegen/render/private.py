"""What every page of a private site carries, whatever its theme: no indexing, and no Referer header that would
carry a client's secret address to the sites its pages link to."""

from __future__ import annotations

import re

from sitegen.render.files import OutputFile

PRIVATE_META = b'<meta name="robots" content="noindex, nofollow">\n<meta name="referrer" content="no-referrer">\n'
ROBOTS_TXT = OutputFile("robots.txt", b"# private reports: no crawling\nUser-agent: *\nDisallow: /\n")
_HEAD = re.compile(rb"<head(\s[^>]*)?>\s*", re.IGNORECASE)


def marked_private(files: list[OutputFile]) -> list[OutputFile]:
    """The HTML pages among `files` with the private meta tags first in their head."""
    return [OutputFile(f.path, private_page(f.data)) if f.path.endswith(".html") else f for f in files]


def private_page(page: bytes) -> bytes:
    if PRIVATE_META in page:
        return page
    match = _HEAD.search(page)
    if match is None:
        return PRIVATE_META + page
    return page[:match.end()] + PRIVATE_META + page[match.end():]
