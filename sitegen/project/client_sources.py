"""Each client's `[[sources]]` as it reads them: its own (client.toml) and the site's (sitegen.toml), with paths
made absolute and every query parameter given a value (`params`, the client's `source_params`, and `client`, its
slug). A site's source is read for every client, so it must select the client's rows by a parameter."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from sitegen.data.sources import SourceSpec, database_path, query_parameters
from sitegen.errors import SitegenError, raise_all
from sitegen.project.settings import ClientConfig, SiteConfig, SourceSettings

_FROM = re.compile(r"\bfrom\s+([A-Za-z_][A-Za-z0-9_.]*)", re.IGNORECASE)  # the table a query reads first


def client_sources(cfg: ClientConfig, site: SiteConfig, slug: str, folder: Path, config_path: Path,
                   site_path: Path) -> tuple[SourceSpec, ...]:
    errors, specs = [], []
    given = {"client": slug, **cfg.source_params}
    for index, (source, base, path, shared) in enumerate(
            [(s, folder, config_path, False) for s in cfg.sources] + [(s, site_path.parent, site_path, True)
                                                                      for s in site.sources]):
        where = f"sources[{index if not shared else index - len(cfg.sources)}]"
        if shared and (source.query is None or not query_parameters(source.query)):
            errors.append(SitegenError(f"{where}: a source in sitegen.toml is read for every client, so it must be "
                                       "a query that selects the client's rows by a parameter (such as "
                                       "WHERE client = :client)", path))
            continue
        params = {**given, **source.params} if not shared else {**source.params, **given}
        missing = [p for p in query_parameters(source.query or "") if p not in params]
        if missing:
            errors.append(SitegenError(f"{where}: the query uses :{missing[0]}, and no value is given for it "
                                       f"(params, or source_params in {config_path.name})", path))
            continue
        specs.append(_spec(source, base, params))
    raise_all(errors)
    return tuple(_named_apart(specs))


def _named_apart(specs: list[SourceSpec]) -> list[SourceSpec]:
    """Sources named alike (two queries of one database) told apart by their place: "db.duckdb query (2)"."""
    seen: dict[str, int] = {}
    named = []
    for spec in specs:
        seen[spec.name] = seen.get(spec.name, 0) + 1
        named.append(spec if seen[spec.name] == 1 else replace(spec, name=f"{spec.name} ({seen[spec.name]})"))
    return named


def _spec(source: SourceSettings, base: Path, params: dict) -> SourceSpec:
    url = source.url
    if url.lower().startswith("duckdb://"):
        url = f"duckdb:///{(base / database_path(url)).resolve()}"
    elif "://" not in url:
        url = str((base / url).resolve())
    # a database by its file or name (not a ?host=/run/socket); files by their path as written: a glob's file
    # name (*.parquet) would not tell one folder's from another's
    where = source.url if "://" not in source.url else Path(source.url.split("://", 1)[1].split("?", 1)[0]).name
    read = source.table or (_FROM.search(source.query)[1] if source.query and _FROM.search(source.query) else "query")
    name = source.name or (f"{where} {read}" if "://" in source.url else where)
    used = set(query_parameters(source.query or ""))
    return SourceSpec(name, url, source.table, source.query, tuple(sorted((k, v) for k, v in params.items()
                                                                          if k in used)))
