"""Which kind of data a file holds, told by its columns: the kind whose required columns the file has and
which knows most of its columns; and what to say when no kind fits."""

from __future__ import annotations

import json
from functools import lru_cache

from sitegen.data.cell_shapes import cells_fit
from sitegen.data.headers import doubled, map_headers, spelling_like, suggestions, unmapped, written_header
from sitegen.data.kinds import KINDS, TIME_COLUMN, Kind


def recognise(headers: list[str], user: dict[str, str],
              dateless: bool = False) -> tuple[Kind | None, dict[str, str], list[Kind]]:
    """The kind whose required columns the file has and which knows most of its columns.

    Returns (kind, header mapping, []), or (None, {}, candidates) when the kind that shares most
    columns with the file lacks a required one. `dateless`: the file covers one known range, so a kind
    placed in time by its `date` column does not need it (see `covered`)."""
    kind, mapping, candidates = _recognised(tuple(headers), tuple(user.items()), dateless)
    return kind, dict(mapping), list(candidates)


@lru_cache(maxsize=256)  # a client's monthly drops share their headers
def _recognised(headers: tuple[str, ...], user: tuple[tuple[str, str], ...], dateless: bool = False):
    headers, user = list(headers), dict(user)
    mappings = {name: map_headers(headers, name, user) for name in KINDS}
    present = {name: _present(m) | ({"date"} if dateless and TIME_COLUMN[name] == "date" else set())
               for name, m in mappings.items()}
    overlap = {name: len(present[name] & set(KINDS[name].columns)) for name in KINDS}
    missing = {name: len(set(KINDS[name].required) - present[name]) for name in KINDS}
    # without dates, a kind must still know a column besides the date it is given
    eligible = [k for k in KINDS.values() if not missing[k.name] and overlap[k.name] > dateless]
    best = max(eligible, key=lambda k: (overlap[k.name], len(k.required)), default=None)
    # a kind that knows more of the columns but lacks one required column is what the user meant
    near = [n for n in KINDS if missing[n] == 1 and overlap[n] > (overlap[best.name] if best else 0)]
    if best is not None and not near:
        return best, mappings[best.name], []
    top = max(overlap[n] for n in near) if near else max(overlap.values())
    return None, {}, [KINDS[n] for n in (near or KINDS) if overlap[n] == top and top > 0]


def _present(mapping: dict[str, str]) -> set[str]:
    columns = set(mapping.values())
    if "video_link" in columns:  # TikTok Studio: the ID is part of the link
        columns.add("video_id")
    return columns


def _shown(header: str) -> str:
    """A header as written, quoted when it holds a line break or another invisible character."""
    return header if header.isprintable() else repr(header)


def missing_columns_message(headers: list[str], candidates: list[Kind], user: dict[str, str],
                            cells: dict[str, list[str]] | None = None) -> str:
    """Why no kind fits the file, in one line: the required columns it lacks, and for each the file's header
    that is plausibly that column (`cells`: the first cells of the headers `headers_to_sample` names)."""
    found = ", ".join(map(_shown, headers)) or "none"
    if not candidates:
        kinds = "; ".join(f"{k.name}: {', '.join(k.required)}" for k in KINDS.values())
        return f"unknown kind of data (columns: {found}); expected the columns of one kind ({kinds})"
    kind = candidates[0]
    mapping = map_headers(headers, kind.name, user)
    missing = [c for c in kind.required if c not in _present(mapping)]
    loose = unmapped(headers, mapping)
    hints, lines = [], []
    for column in missing:
        header, why = _likely_header(loose, column, kind.columns[column], cells or {})
        if header is not None:
            loose.remove(header)
            hints.append(f"{header!r} looks like {column} ({why})")
        lines.append(f"{json.dumps(header or 'Your header', ensure_ascii=False)} = \"{column}\"")
    them = "them" if len(missing) > 1 else "it"
    advice = f"map {them} in client.toml [columns]" if hints else \
        f"name your file's column for {them} in client.toml [columns]"
    hint = ("; " + "; ".join(hints)) if hints else ""
    return (f"missing required column {', '.join(repr(m) for m in missing)} for {kind.name} data "
            f"(needs {', '.join(kind.required)}; file columns: {found}){hint}; {advice}: {', '.join(lines)}")


def headers_to_sample(headers: list[str], candidates: list[Kind], user: dict[str, str]) -> list[str]:
    """The headers whose first cells missing_columns_message looks at (those no column of the kind took)."""
    return unmapped(headers, map_headers(headers, candidates[0].name, user)) if candidates else []


def _likely_header(headers: list[str], column: str, ctype: str,
                   cells: dict[str, list[str]]) -> tuple[str | None, str]:
    """The header that is plausibly `column`, and why: a name like one of its spellings (and cells that do
    not say otherwise), best with cells that fit too; or, for a date, cells that are dates. (None, "") when
    no header is."""
    best, rank = (None, ""), 0
    for header in headers:
        fit = cells_fit(cells.get(header), ctype)
        if fit is False:
            continue
        spelling = spelling_like(header, column)
        looks = f"its cells are {_CELLS[ctype]}" if fit else ""
        if spelling is not None and 2 + bool(fit) > rank:
            best, rank = (header, "; ".join(filter(None, [f"close to {spelling!r}", looks]))), 2 + bool(fit)
        elif fit and ctype in ("date", "datetime") and rank < 1:
            best, rank = (header, looks), 1
    return best


_CELLS = {"date": "dates", "datetime": "dates", "int": "numbers", "money": "amounts", "float": "numbers",
          "id": "IDs"}


def unknown_columns(headers: list[str], kind: Kind, mapping: dict[str, str],
                    header_row: int) -> list[tuple[str, int, str]]:
    """A warning (message, row, column) for each column the file has that its kind does not know, naming the
    kind's columns not in the file yet whose spellings are close to it."""
    found = []
    free = set(kind.columns) - set(mapping.values())
    for header in unmapped(headers, mapping):
        close = suggestions(header, free)
        hint = f"; nearest known names: {', '.join(close)}" if close else ""
        found.append((f"unknown column {header!r} for {kind.name} data (ignored; map it in [columns] if it "
                      f"matters){hint}", header_row, header))
    return found


def doubled_columns(headers: list[str], kind: Kind, user: dict[str, str], positions: list[int] | None) -> str | None:
    """What is wrong when two of a file's columns map to one column of its kind (`positions`: each header's place
    in the file's rows, which names it by its letter), or None."""
    def named(at: int) -> str:
        letter = f" ({column_letter(positions[at])})" if positions is not None else ""
        return f"{_shown(written_header(headers[at], headers))!r}{letter}"

    pairs = doubled(headers, kind.name, user)
    if not pairs:
        return None
    both = "; ".join(f"columns {named(a)} and {named(b)} both map to {column}" for a, b, column in pairs)
    return f"{both}; remove or rename {'one' if len(pairs) == 1 else 'one of each'}"


def column_letter(position: int) -> str:
    """A spreadsheet's name of a column: 0 is A, 26 is AA."""
    letters = ""
    position += 1
    while position:
        position, rest = divmod(position - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
