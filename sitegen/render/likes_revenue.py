"""The chart of likes against revenue (`likes_revenue`): a point per campaign, and per video that sales are
attributed to, with dashed lines at the medians, so that "liked, did not sell" (low right) and "sold quietly"
(high left) stand out. Its colours are the palette's (the chart template's category range)."""

from __future__ import annotations

import numpy as np

from sitegen.i18n import N_, _
from sitegen.metrics.facts import Columns
from sitegen.metrics.report import ReportKpis

QUADRANTS = {"liked_unsold": N_("Liked, did not sell"), "quiet_seller": N_("Sold quietly"),
             "both": N_("Liked and sold"), "neither": N_("Neither")}


def likes_revenue_rows(k: ReportKpis) -> Columns | None:
    """A point per campaign with likes and revenue, and per video with attributed revenue; each in the
    quadrant the medians of the points place it."""
    parts = []
    for table, name, kind in (("campaigns", "campaign", N_("Campaign")), ("videos", "title", N_("Video"))):
        likes, revenue = k.array(table, "likes"), k.array(table, "revenue")
        shown = ~np.isnan(likes.astype("float64")) & ~np.isnan(revenue.astype("float64"))
        names = k.array(table, name)[shown]
        if table == "videos":  # a video without a title goes by its id
            ids = k.array("videos", "video_id")[shown]
            names = np.array([str(i if t is None or t != t else t) for t, i in zip(names, ids)], dtype=object)
        roas = k.array("campaigns", "roas")[shown] if table == "campaigns" else np.full(int(shown.sum()), np.nan)
        parts.append((names, np.full(len(names), _(kind), dtype=object), likes[shown], revenue[shown], roas))
    names, kinds, likes, revenue, roas = (np.concatenate(c) for c in zip(*parts))
    if not len(names):
        return None
    likes, revenue = likes.astype("float64"), revenue.astype("float64")
    high_likes, high_revenue = likes > np.median(likes), revenue > np.median(revenue)
    quadrant = np.select([high_likes & ~high_revenue, ~high_likes & high_revenue, high_likes & high_revenue],
                         [_(QUADRANTS["liked_unsold"]), _(QUADRANTS["quiet_seller"]), _(QUADRANTS["both"])],
                         _(QUADRANTS["neither"])).astype(object)
    return {"name": names.astype(object), "kind": kinds, "likes": likes, "revenue": revenue,
            "roas": roas.astype("float64"), "quadrant": quadrant}


def likes_revenue(source):
    import altair as alt  # (slow to import: only building a chart template needs it)

    points = alt.Chart(source).mark_point(filled=True, size=80, opacity=0.85).encode(
        x=alt.X("likes", type="quantitative", title=_("Likes"), axis=alt.Axis(format=",.0f", tickCount=6)),
        y=alt.Y("revenue", type="quantitative", title=_("Revenue"), axis=alt.Axis(format="$,.0f", tickCount=6)),
        color=alt.Color("kind", type="nominal", title=None, legend=alt.Legend(orient="bottom")),
        shape=alt.Shape("kind", type="nominal", title=None),
        tooltip=[alt.Tooltip("name", type="nominal", title=_("Name")),
                 alt.Tooltip("kind", type="nominal", title=_("Kind")),
                 alt.Tooltip("likes", type="quantitative", format=",.0f", title=_("Likes")),
                 alt.Tooltip("revenue", type="quantitative", format="$,.2f", title=_("Revenue")),
                 alt.Tooltip("roas", type="quantitative", format=".2f", title=_("ROAS")),
                 alt.Tooltip("quadrant", type="nominal", title=_("Quadrant"))])
    rule = {"strokeDash": [4, 4], "color": "#64748b", "aria": False}
    x_median = alt.Chart(source).mark_rule(**rule).encode(x=alt.X("median(likes)", type="quantitative"))
    y_median = alt.Chart(source).mark_rule(**rule).encode(y=alt.Y("median(revenue)", type="quantitative"))
    corner = {"color": "#64748b", "fontSize": 11, "aria": False}
    unsold = alt.Chart(source).mark_text(align="right", baseline="bottom", dx=-4, dy=-4, **corner).encode(
        x=alt.X("max(likes)", type="quantitative"), y=alt.Y("min(revenue)", type="quantitative"),
        text=alt.value(_(QUADRANTS["liked_unsold"])))
    quiet = alt.Chart(source).mark_text(align="left", baseline="top", dx=4, dy=4, **corner).encode(
        x=alt.X("min(likes)", type="quantitative"), y=alt.Y("max(revenue)", type="quantitative"),
        text=alt.value(_(QUADRANTS["quiet_seller"])))
    return alt.layer(x_median, y_median, unsold, quiet, points)
