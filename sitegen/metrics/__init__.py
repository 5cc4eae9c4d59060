"""Stage 2: the numbers of each report, from a client's typed tables: daily facts, the KPI catalogue for a
period and its comparison period, breakdowns per campaign, video, code, hashtag and day, and the alerts."""
