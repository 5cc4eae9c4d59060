"""A source's rows (`sources.fetch`) as a table of cells, as a file's would be: each value as the text a user
would see, nested records flattened (`records`)."""

from __future__ import annotations

import pandas as pd

from sitegen.data.readers.as_text import from_frame
from sitegen.data.readers.base import RawTable
from sitegen.data.sources import SourceSpec, fetch
from sitegen.errors import SitegenError


def read_source(spec: SourceSpec) -> RawTable:
    """The source's rows as cells of text, numbered from 1 (a source has no header row)."""
    names, rows = fetch(spec)
    if not rows:
        raise SitegenError(f"no rows from {spec.shown}, expected at least one", spec.name)
    frame = pd.DataFrame(rows, columns=names, dtype=object)
    # a column the query selects the client's rows by (WHERE client = :client) says nothing more
    frame = frame.drop(columns=[name for name, _ in spec.params if name in frame.columns])
    return from_frame(frame, 0)
