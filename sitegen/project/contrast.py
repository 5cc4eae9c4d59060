"""WCAG contrast of a brand colour against the page, and the nearest colour that passes for text: the brand
colour mixed with black (on a light page) or white (on a dark one) in steps of 1 %, as CSS color-mix does."""

from __future__ import annotations

from functools import cache

PAGE_BACKGROUND = "#ffffff"  # the default theme's light page (--bg)
TEXT_CONTRAST = 4.5  # WCAG 2 AA for normal text


def _channels(colour: str) -> tuple[int, int, int]:
    return int(colour[1:3], 16), int(colour[3:5], 16), int(colour[5:7], 16)


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def luminance(colour: str) -> float:
    """WCAG relative luminance of a #rrggbb colour: 0 for black, 1 for white."""
    r, g, b = map(_linear, _channels(colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG contrast ratio of two #rrggbb colours, from 1 (the same) to 21 (black on white)."""
    la, lb = sorted((luminance(a), luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def _mix(colour: str, other: str, share: int) -> str:
    """`share` % of `other` in `colour`, per sRGB channel (color-mix(in srgb, colour, other share%))."""
    mixed = (round((c * (100 - share) + o * share) / 100) for c, o in zip(_channels(colour), _channels(other)))
    return "#" + "".join(f"{c:02x}" for c in mixed)


@cache
def text_colour(colour: str, background: str = PAGE_BACKGROUND) -> str:
    """`colour` itself (lower case) when it passes 4.5:1 on `background`, else the least mixed with black (on a light
    background) or white (on a dark one) that does; black and white pass on any page that is light or dark."""
    colour = colour.lower()
    if contrast(colour, background) >= TEXT_CONTRAST:
        return colour
    toward = "#000000" if contrast("#000000", background) >= contrast("#ffffff", background) else "#ffffff"
    for share in range(1, 101):
        mixed = _mix(colour, toward, share)
        if contrast(mixed, background) >= TEXT_CONTRAST:
            return mixed
    return toward
