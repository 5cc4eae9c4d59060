"""The project's private clients made ready to build: each gets its token folder and, with a password, what its
pages are sealed with; a private build without its secret or a password stops here."""

from __future__ import annotations

import dataclasses
import tomllib
from pathlib import Path

from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.project.model import CONTENT, Project
from sitegen.project.privacy import client_sealing, client_token, password_env, read_secrets
from sitegen.project.settings import CLIENT_FILE, SITE_FILE


def with_privacy(project: Project, output: Path, diagnostics: Diagnostics, enabled: bool = True) -> Project:
    """The project with its private clients' folders and sealing; with `enabled` false (the live preview) every
    client is built as a public one."""
    if not enabled:
        return dataclasses.replace(project, clients=tuple(dataclasses.replace(c, privacy="none")
                                                          for c in project.clients))
    if not any(c.private for c in project.clients):
        return project
    secrets = read_secrets(project.root, output, diagnostics)
    if secrets.secret is None:
        raise SitegenError("private clients need the project secret, and there is none: run `sitegen secret init` "
                           "(or set SITEGEN_SECRET)", secrets.file)
    clients, errors = [], []
    for client in project.clients:
        if not client.private:
            clients.append(client)
            continue
        sealing = None
        if client.privacy == "password":
            try:
                password = secrets.password(client.slug)
            except SitegenError as exc:
                errors.append(exc)
                continue
            if password is None:
                errors.append(SitegenError(f"client {client.slug!r} has privacy = \"password\" and no password: run "
                                           f"`sitegen secret password {client.slug}` (or set "
                                           f"{password_env(client.slug)})", secrets.file))
                continue
            sealing = client_sealing(secrets.secret, client.slug, password)
        clients.append(dataclasses.replace(client, token=client_token(secrets.secret, client.slug), sealing=sealing))
    raise_all(errors)
    return dataclasses.replace(project, clients=tuple(clients))


def names_private_clients(root: Path) -> bool:
    """Whether sitegen.toml or a client.toml asks for privacy (read as it is, even if the project is broken): the
    live preview then builds its clear pages into a folder of its own, never into the published output."""
    for path in (root / SITE_FILE, *sorted((root / CONTENT).glob(f"*/{CLIENT_FILE}"))):
        try:
            privacy = tomllib.loads(path.read_text(encoding="utf-8")).get("privacy")
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError):
            continue
        if privacy in ("link", "password"):
            return True
    return False
