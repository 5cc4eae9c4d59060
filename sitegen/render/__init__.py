"""Stage 3: a report's numbers made into pages: charts (Vega-Lite specs, static images), tables, KPI cards,
highlights and the commentary's macros, through the theme's Jinja templates, in the client's language and
number formats; kpis.json and kpis.csv beside each page."""
