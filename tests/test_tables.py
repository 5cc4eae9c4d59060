"""The report's tables, read and formatted column by column, come out exactly as the pandas row-by-row version
(kept here as the reference) made them."""

from __future__ import annotations

import math
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sitegen.i18n import _, speaking
from sitegen.metrics.periods import month
from sitegen.metrics.report import ReportKpis, Tables
from sitegen.render.charts import CHART_KINDS, chart_spec
from sitegen.render.formatting import NA, Formatter
from sitegen.render.report_columns import FrameColumns, ReportColumns, itertuples_values
from sitegen.render.tables import (
    CHART_COLUMNS,
    TABLE_KINDS,
    RenderedTable,
    cell,
    chart_table,
    render_table,
    sort_keys,
)

REPO = Path(__file__).resolve().parents[1]
settings.register_profile("tables", deadline=None, suppress_health_check=[HealthCheck.too_slow])

words = st.text(alphabet=st.sampled_from(list("ab <>&'\"%()é–\n")), max_size=8)


# -- the pandas version these replace ---------------------------------------------------------

def old_render_table(name, kpis, fmt, limit=None):
    kind = TABLE_KINDS[name]
    frame = kind.rows(kpis)
    limit = limit if limit is not None else kind.limit
    shown = frame.head(limit) if limit is not None else frame
    fields = [c.field for c in kind.columns]
    rows = tuple(tuple((cell(v, c.unit, fmt), c.unit) for v, c in zip(row, kind.columns))
                 for row in shown[fields].itertuples(index=False, name=None))
    return _(kind.title), tuple((_(c.label), c.unit) for c in kind.columns), rows, len(frame)


def old_chart_table(name, kpis, fmt):
    frame = CHART_KINDS[name].frame(kpis)
    if frame.empty:
        return None
    columns = CHART_COLUMNS[name]
    rows = tuple(tuple((cell(v, c.unit, fmt), c.unit) for v, c in zip(row, columns))
                 for row in frame[[c.field for c in columns]].itertuples(index=False, name=None))
    return _(CHART_KINDS[name].title), tuple((_(c.label), c.unit) for c in columns), rows, len(frame)


def fields(table: RenderedTable | None):
    return None if table is None else (table.title, table.headers, table.rows, table.total_rows)


def outcome(make, *args):
    """What a call gives, or the type of error it raises (Babel cannot format 1e25 as a percentage)."""
    try:
        made = make(*args)
    except Exception as exc:
        return type(exc)
    return fields(made) if made is None or isinstance(made, RenderedTable) else made


# -- rows and cells ---------------------------------------------------------------------------

floats = st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.0, -0.0, 1.0, 0.05, 12.5]))
days = st.one_of(st.none(), st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)))


def kpis_with(tables: dict[str, pd.DataFrame]) -> ReportKpis:
    return ReportKpis(month(2026, 10), None, {}, {}, {}, tables)


@st.composite
def video_frames(draw):
    n = draw(st.integers(0, 8))
    ids = [draw(st.sampled_from(["v1", "v2", "v10", "é", "B"])) for _ in range(n)]
    return pd.DataFrame({
        "video_id": pd.Series(ids, dtype="str"),
        "title": pd.Series([draw(st.one_of(st.none(), words, st.just(math.nan))) for _ in range(n)], dtype=object),
        "posted_at": pd.to_datetime(pd.Series([draw(days) for _ in range(n)], dtype=object)),
        "views": pd.Series([draw(st.one_of(floats, st.sampled_from([0.0, 5.0, -1.0, math.nan]))) for _ in range(n)],
                           dtype="float64"),
        "likes": pd.Series([draw(floats) for _ in range(n)], dtype="float64"),
        "engagement_rate": pd.Series([draw(st.sampled_from([0.1, 0.2, math.nan, 0.0, 1e-9])) for _ in range(n)],
                                     dtype="float64"),
        "like_rate": pd.Series([draw(floats) for _ in range(n)], dtype="float64"),
        "revenue": pd.Series([draw(floats) for _ in range(n)], dtype="float64"),
        "revenue_per_1k_likes": pd.Series([draw(floats) for _ in range(n)], dtype="float64"),
    })


@settings(settings.get_profile("tables"), max_examples=300)
@given(videos=video_frames(), name=st.sampled_from(["top_videos", "worst_videos"]),
       limit=st.one_of(st.none(), st.integers(1, 9)), locale=st.sampled_from(["en_US", "de_DE"]))
def test_video_tables_are_the_pandas_ones(videos, name, limit, locale):
    kpis, fmt = kpis_with({"videos": videos}), Formatter(locale, "EUR")
    with speaking(locale[:2]):
        want = outcome(old_render_table, name, kpis, fmt, limit)
        assert outcome(render_table, name, kpis, fmt, limit, ReportColumns(kpis)) == want
        arrays = kpis_with(Tables({"videos": {c: videos[c].to_numpy() for c in videos.columns}}))
        assert outcome(render_table, name, arrays, fmt, limit) == want


def test_worst_videos_with_odd_columns_go_through_pandas():
    videos = pd.DataFrame({"video_id": [1, 2], "title": ["a", "b"], "posted_at": pd.to_datetime(["2026-01-01"] * 2),
                           "views": [1.0, 2.0], "likes": [1.0, 1.0], "engagement_rate": [-0.0, 0.0],
                           "like_rate": [0.1, 0.2], "revenue": [None, 5.0], "revenue_per_1k_likes": [None, 5e3]})
    kpis, fmt = kpis_with({"videos": videos}), Formatter("en_US", "USD")
    assert fields(render_table("worst_videos", kpis, fmt)) == old_render_table("worst_videos", kpis, fmt)


@st.composite
def day_frames(draw):
    n = draw(st.integers(1, 6))
    start = draw(st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)))
    frame = pd.DataFrame({"date": pd.date_range(start, periods=n, freq="D")})
    for c in ["organic_likes", "paid_likes", "engagement_rate", "like_rate", "followers", "spend", "revenue",
              "sentiment_positive", "sentiment_neutral", "sentiment_negative"]:
        frame[c] = pd.Series([draw(st.one_of(floats, st.integers(0, 10**6).map(float))) for _ in range(n)],
                             dtype="float64")
    frame["has_data"] = [draw(st.booleans()) for _ in range(n)]
    return frame


@st.composite
def named_frames(draw):
    n = draw(st.integers(0, 5))
    names = [draw(st.one_of(words, st.just(math.nan))) for _ in range(n)]
    return {
        "campaigns": pd.DataFrame({"campaign": pd.Series(names, dtype="str"),
                                   **{c: pd.Series([draw(floats) for _ in range(n)], dtype="float64")
                                      for c in ("roas", "spend", "revenue")}}),
        "codes": pd.DataFrame({"code": pd.Series(names, dtype="str"),
                               **{c: pd.Series([draw(floats) for _ in range(n)], dtype="float64")
                                  for c in ("revenue", "orders")}}),
        "hashtag_days": pd.DataFrame({"date": pd.to_datetime(pd.Series([draw(days) for _ in range(n)], dtype=object)),
                                      "hashtag": pd.Series(names, dtype="str"),
                                      "posts": pd.Series([draw(floats) for _ in range(n)], dtype="float64")}),
    }


CHARTS_FROM_FRAMES = ["likes_daily", "rates_daily", "followers_daily", "spend_revenue_daily", "sentiment_daily",
                      "campaign_roas", "codes_revenue", "hashtags_daily"]


@settings(settings.get_profile("tables"), max_examples=200)
@given(days_frame=day_frames(), others=named_frames(), locale=st.sampled_from(["en_US", "de_DE", "en_GB"]))
def test_chart_tables_from_the_charts_arrays_are_the_pandas_ones(days_frame, others, locale):
    kpis, fmt = kpis_with({"days": days_frame, **others}), Formatter(locale, "GBP")
    with speaking(locale[:2]):
        for name in CHARTS_FROM_FRAMES:
            try:
                spec = chart_spec(name, kpis, lang=locale[:2])
            except ValueError:  # a NaN or inf the chart's JSON refuses (allow_nan=False): no page either
                continue
            if spec is None:
                continue
            expected = outcome(old_chart_table, name, kpis, fmt)
            assert outcome(chart_table, name, kpis, fmt, spec) == expected
            assert outcome(chart_table, name, kpis, fmt) == expected


def test_demo_tables_are_the_pandas_ones(demo_kpis):
    for client, kpis, charts in demo_kpis:
        fmt = Formatter(client.locale, client.currency)
        with speaking(client.locale[:2]):
            for name in TABLE_KINDS:
                for limit in (None, 1, 3):
                    assert fields(render_table(name, kpis, fmt, limit)) == old_render_table(name, kpis, fmt, limit)
            for name, spec in charts.items():
                if spec:
                    assert fields(chart_table(name, kpis, fmt, spec)) == old_chart_table(name, kpis, fmt)


def test_chart_rows_that_are_not_plain_arrays_go_through_the_frame():
    frame = pd.DataFrame({"date": pd.to_datetime(["2026-10-01", "2026-10-02"]), "followers": [np.float64(12.0), 3.5],
                          "has_data": [True, True]})
    kpis, fmt = kpis_with({"days": frame}), Formatter("en_US", "USD")
    expected = old_chart_table("followers_daily", kpis, fmt)
    kpis.chart_rows["followers_daily"] = {"date": list(frame["date"]), "followers": [12.0, 3.5]}
    assert fields(chart_table("followers_daily", kpis, fmt, "{}")) == expected


@st.composite
def mixed_frames(draw):
    n = draw(st.integers(0, 4))
    kinds = draw(st.lists(st.sampled_from(["float64", "float32", "int64", "uint8", "bool", "object", "str", "string",
                                           "datetime64[ns]", "datetime64[s]", "tz", "Int64", "timedelta"]),
                          max_size=5))
    columns = {}
    for i, kind in enumerate(kinds):
        if kind in ("float64", "float32"):
            values = pd.Series([draw(floats) for _ in range(n)], dtype=kind)
        elif kind in ("int64", "uint8", "Int64"):
            values = pd.Series([draw(st.integers(0, 200)) for _ in range(n)], dtype=kind)
        elif kind == "bool":
            values = pd.Series([draw(st.booleans()) for _ in range(n)], dtype=bool)
        elif kind == "object":
            values = pd.Series([draw(st.one_of(st.none(), words, floats, st.just(pd.NaT), days)) for _ in range(n)],
                               dtype=object)
        elif kind in ("str", "string"):
            values = pd.Series([draw(st.one_of(words, st.none())) for _ in range(n)], dtype=kind)
        elif kind == "timedelta":
            values = pd.to_timedelta(pd.Series([draw(st.integers(0, 10)) for _ in range(n)]), unit="D")
        else:
            values = pd.to_datetime(pd.Series([draw(days) for _ in range(n)], dtype=object))
            values = values.dt.tz_localize("Europe/Berlin") if kind == "tz" else values.astype(kind)
        columns[f"c{i}"] = values
    return pd.DataFrame(columns, index=range(n))


def same(a, b) -> bool:
    return type(a) is type(b) and (a is b or a == b or (a != a and b != b))


@pytest.mark.filterwarnings("ignore:overflow encountered")
@settings(settings.get_profile("tables"), max_examples=300)
@given(frame=mixed_frames())
def test_frame_columns_are_what_itertuples_gives(frame):
    read = FrameColumns()
    rows = list(frame.itertuples(index=False, name=None))
    for k, name in enumerate(frame.columns):
        values = read(frame, name)
        assert len(values) == len(rows) and all(same(v, row[k]) for v, row in zip(values, rows))


arrays = st.one_of(
    st.lists(floats, max_size=4).map(lambda v: np.array(v, dtype="float64")),
    st.lists(st.integers(-5, 5), max_size=4).map(lambda v: np.array(v, dtype="int64")),
    st.lists(st.booleans(), max_size=4).map(lambda v: np.array(v, dtype=bool)),
    st.tuples(st.lists(days, max_size=4), st.sampled_from(["s", "ms", "ns", "D"])).map(
        lambda a: np.array([None if d is None else np.datetime64(d) for d in a[0]], dtype=f"datetime64[{a[1]}]")),
    st.lists(st.one_of(words, st.none(), st.just(math.nan), st.just(1.5), st.just(pd.Timestamp("2026-01-01")),
                       st.just(date(2026, 1, 2))), max_size=4).map(lambda v: np.array(v + ["x"], dtype=object)[:-1]),
)


def shown_same(ours, theirs) -> bool:
    """The same value for a page and kpis.json: equal and of one type, or both missing text (None, NaN)."""
    def missing(v) -> bool:
        return v is None or (type(v) is float and v != v)

    return (missing(ours) and missing(theirs)) or same(ours, theirs)


@pytest.mark.filterwarnings("ignore:overflow encountered")
@settings(settings.get_profile("tables"), max_examples=300)
@given(array=arrays)
def test_arrays_read_as_the_dataframe_gives_them(array):
    values = itertuples_values(array)
    if values is None:
        return
    frame = pd.DataFrame({"x": array})
    theirs = [row[0] for row in frame.itertuples(index=False, name=None)]
    assert len(values) == len(theirs) and all(shown_same(a, b) for a, b in zip(values, theirs))


# -- sort keys (data-value): the raw value the page sorts a column by ---------------------------

def test_sort_keys_are_numbers_and_iso_days_and_empty_for_na():
    assert sort_keys([1.5, None, math.nan, math.inf, 3, np.int64(2), -0.25, 1 / 3, 2e20], "count") == \
        ["1.5", "", "", "", "3", "2", "-0.25", "0.333333333333", "2e+20"]
    assert sort_keys([date(2026, 10, 1), pd.Timestamp("2026-10-02 13:00"), pd.NaT, None], "date") == \
        ["2026-10-01", "2026-10-02", "", ""]
    assert sort_keys(["b", "a"], "text") is None


@settings(settings.get_profile("tables"), max_examples=100)
@given(videos=video_frames())
def test_a_cell_is_na_exactly_where_its_sort_key_is_empty(videos):
    kpis, fmt = kpis_with({"videos": videos}), Formatter("de_DE", "EUR")
    with speaking("de"):
        try:
            table = render_table("top_videos", kpis, fmt)
        except ArithmeticError:
            return  # (Babel cannot format 1e25 as a percentage)
    for (label, unit), texts, keys in zip(table.headers, table.columns, table.keys):
        if unit == "text":
            assert keys is None
            continue
        assert [t == NA for t in texts] == [k == "" for k in keys], label
        if unit != "date":
            assert all(math.isfinite(float(k)) for k in keys if k)
