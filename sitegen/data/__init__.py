"""Stage 1: a client's data files as typed tables, one per kind of data (ads, videos, account, community,
orders, hashtags): read by format, recognised by their columns, every cell typed and checked."""
