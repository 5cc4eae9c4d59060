"""The charts' colours: the client's brand colours first (`primary_color`, `accent_color`), so that pages and
charts share one palette."""

from __future__ import annotations

from sitegen.project.model import Client

DEFAULT_PALETTE = ("#0f766e", "#f97316", "#6366f1", "#e11d48", "#84cc16", "#0ea5e9")


def client_palette(client: Client) -> tuple[str, ...]:
    b = client.branding
    return (b.primary_color or DEFAULT_PALETTE[0], b.accent_color or DEFAULT_PALETTE[1], *DEFAULT_PALETTE[2:])
