"""One period's KPIs as they are worked out (`Figures`): each value with the data it came from ("ads.spend"), and
for an n/a the reason a reader is shown ("not in your data"). A sum whose column no file of its kind has, or that
no row of the period has a value in, is n/a, never 0; and so is every KPI made from it."""

from __future__ import annotations

from sitegen.metrics.catalogue import KPI_IDS
from sitegen.metrics.daily import KNOWN, ROWS
from sitegen.metrics.ratios import Number, clean, ratio

NOT_IN_DATA = "not in your data"
NO_DATA_IN_PERIOD = "no data in this period"
NO_SHOP_EXPORT = "needs a shop's order export"


class Figures:
    def __init__(self, sums: dict[str, float], kinds: frozenset[str], known_sums: frozenset[str]):
        self.sums = sums  # the period's daily sums by name (ClientFacts.daily's columns)
        self.kinds = kinds  # the kinds the client has rows of
        self.known_sums = known_sums  # the daily sums whose column has a value somewhere
        self.values: dict[str, Number] = {}
        self.sources: dict[str, tuple[str, ...]] = {}  # "kind.column" each value came from (none for an n/a)
        self.reasons: dict[str, str] = {}  # why a value is n/a, where it is not a zero denominator
        self.notes: dict[str, str] = {}  # what a value lacks: an input that is not in the data

    def sum(self, name: str, kind: str) -> Number:
        """A daily sum of a kind's required columns (n/a without rows of the kind)."""
        return self.sums[name] if kind in self.kinds else None

    def total(self, kid: str, name: str, kind: str, column: str) -> None:
        """A sum over the period of one column of one kind."""
        value, reason = self._total(name, kind)
        self._set(kid, value, (f"{kind}.{column}",) if value is not None else (), reason, None)

    def _total(self, name: str, kind: str) -> tuple[Number, str | None]:
        if kind not in self.kinds:
            return None, f"no {kind} data"
        if KNOWN + name not in self.sums:  # made from required columns: every row has it
            return self.sums[name], None
        if name not in self.known_sums:
            return None, NOT_IN_DATA
        if self.sums[KNOWN + name] == 0 and self.sums[ROWS[kind]] > 0:
            return None, NOT_IN_DATA  # the period's rows come from files without the column
        return self.sums[name], None

    def organic(self, kid: str, videos: tuple[str, str], account: tuple[str, str]) -> None:
        """An organic figure: from the per-video data where it has the column, else from the account's days."""
        name, column = videos
        from_videos = "videos" in self.kinds and (KNOWN + name not in self.sums
                                                        or name in self.known_sums)
        if not from_videos and "account" in self.kinds and account[0] in self.known_sums:
            self.total(kid, account[0], "account", account[1])
        else:
            self.total(kid, name, "videos", column)

    def add(self, kid: str, *parts: str) -> None:
        """The sum of other figures that are there (paid and organic add up); n/a when none is."""
        present = [p for p in parts if self.values[p] is not None]
        value = sum(self.values[p] for p in present) if present else None
        self._set(kid, value, self._sources(present), self._reason(parts), None, parts)
        self.lacking(kid, *parts)

    def lacking(self, kid: str, *parts: str) -> None:
        """Note on a known figure the parts of it that are not in the data (they add nothing to it)."""
        lacking = [p for p in parts if self.reasons.get(p) == NOT_IN_DATA]
        if self.values[kid] is not None and lacking and kid not in self.notes:
            self.notes[kid] = f"without {', '.join(lacking)} ({NOT_IN_DATA})"

    def ratio(self, kid: str, numerator: str, denominator: str, scale: float = 1.0) -> None:
        value = ratio(self.values[numerator], self.values[denominator], scale)
        self.put(kid, value, numerator, denominator)

    def put(self, kid: str, value: Number, *inputs: str, source: str | None = None) -> None:
        """A figure worked out from other figures (`inputs`) or from the data (`source`)."""
        sources = self._sources(inputs) + ((source,) if source else ()) if value is not None else ()
        self._set(kid, value, sources, self._reason(inputs), None, inputs)

    def missing(self, kid: str, reason: str) -> None:
        """A figure the data cannot give, for `reason`."""
        self._set(kid, None, (), reason, None)

    def done(self) -> Figures:
        """Every KPI of the catalogue: those not worked out are n/a (the period has no data)."""
        for kid in KPI_IDS:
            if kid not in self.values:
                self._set(kid, None, (), NO_DATA_IN_PERIOD, None)
        self.values = {kid: clean(self.values[kid]) for kid in KPI_IDS}
        return self

    def _set(self, kid: str, value: Number, sources: tuple[str, ...], reason: str | None, note: str | None,
             inputs: tuple[str, ...] = ()) -> None:
        self.values[kid] = value
        self.sources[kid] = tuple(dict.fromkeys(sources))
        if value is None and reason:
            self.reasons[kid] = reason
        notes = [n for n in [note, *(self.notes.get(i) for i in inputs)] if n]
        if value is not None and notes:
            self.notes[kid] = notes[0]

    def _sources(self, figures) -> tuple[str, ...]:
        return tuple(s for f in figures if self.values[f] is not None for s in self.sources[f])

    def _reason(self, inputs) -> str | None:
        """Why figures made of `inputs` are n/a: the first input's that is n/a for a reason."""
        return next((self.reasons[i] for i in inputs if self.values[i] is None and i in self.reasons), None)
