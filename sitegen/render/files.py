"""What rendering produces: the site's files, each a path inside the output folder and its bytes."""

from __future__ import annotations

from dataclasses import dataclass

ASSETS = "assets"
CHART_FOLDER = "charts"  # a report's static chart images, beside its page


@dataclass
class OutputFile:
    path: str  # relative, POSIX
    data: bytes
