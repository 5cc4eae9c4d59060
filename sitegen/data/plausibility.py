"""Figures that parse but are hard to believe (more clicks than impressions, dates in the future): warnings, not
errors, each naming the first row concerned. (A day two files report with other figures is a restatement: see
`overlaps`.)"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from sitegen.data.cells import locator
from sitegen.data.kinds import TIME_COLUMN, Kind
from sitegen.errors import Diagnostics


def plausibility(table: pd.DataFrame, kind: Kind, origins, diagnostics: Diagnostics,
                 arrays: dict[str, np.ndarray] | None = None) -> None:
    """Warnings for figures that parse but are hard to believe (`arrays`: the table's columns as numpy arrays,
    if at hand)."""
    locate = locator(origins)
    checks = []

    def column(name: str) -> np.ndarray:  # comparisons with NaN or NaT are False, as pandas' are
        return arrays[name] if arrays is not None else table[name].to_numpy()

    if kind.name == "ads":
        checks.append((column("clicks") > column("impressions"), "clicks above impressions"))
        checks.append((column("video_views") > column("impressions"), "video views above impressions"))
    if kind.name == "videos":
        checks.append((column("likes") > column("views"), "likes above views"))
    if kind.name == "account":
        checks.append((column("likes") > column("video_views"), "likes above video views"))
    today = pd.Timestamp(date.today())
    future = (today + pd.Timedelta(days=1)).to_datetime64()
    checks.append((column(TIME_COLUMN[kind.name]) > future, "dates in the future"))
    for mask, what in checks:
        hits = np.flatnonzero(mask)
        if len(hits):
            path, row = locate(int(hits[0]))
            diagnostics.warn(f"{what} in {len(hits)} {kind.name} row{'s' if len(hits) > 1 else ''} "
                             f"(first shown)", path, row)

