"""The published record of each client (render.published): read from the output the build replaces, and
written anew beside the client's pages by every build."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from sitegen.build.outputs import ClientOutput
from sitegen.errors import Diagnostics
from sitegen.project.model import Client, Project, report_slug
from sitegen.render.changes import explain_line
from sitegen.render.files import OutputFile
from sitegen.render.published import RECORD, publish_date, read_record, record_bytes, updated_record
from sitegen.render.sealed import RECORD_MAGIC, open_record, seal_record


def with_records(project: Project, output: Path, diagnostics: Diagnostics) -> Project:
    """The project with each client's previous record (None where the output holds none) and today's date."""
    clients = []
    for client in project.clients:
        path = output / client.site_dir / RECORD
        try:
            text = path.read_bytes()
        except OSError:  # not published before (or not readable): nothing to compare with
            clients.append(client)
            continue
        if client.sealing is not None:
            text = open_record(client.sealing.record_key, text) or b""
        elif text.startswith(RECORD_MAGIC):  # sealed by a build when the client had a password: not readable now
            clients.append(client)
            continue
        record = read_record(text)
        if record is None:
            diagnostics.warn("not a record of published figures (damaged or edited): no changes are listed, "
                             "and this build writes a new one", path)
        clients.append(dataclasses.replace(client, published=record))
    return dataclasses.replace(project, clients=tuple(clients), today=publish_date())


def record_file(today: str, client: Client, out: ClientOutput) -> tuple[OutputFile, list[str]]:
    """The client's record after this build, and a line per change it found (for `build --explain`)."""
    currency = out.currency or client.currency
    keys = out.plan.records if out.plan is not None else [None] * len(client.reports)
    slugs = [report_slug(r) for r in client.reports]
    record, found = updated_record(client.published, list(zip(slugs, keys, out.figures)), out.data_files,
                                   today, currency)
    lines = [explain_line(client.slug, slug, change, currency) for slug, change in found]
    data = record_bytes(record)
    if client.sealing is not None:  # the client's figures: only the build may read them
        data = seal_record(client.sealing.record_key, data)
    return OutputFile(f"{client.site_dir}/{RECORD}", data), lines

