"""How a creator's or trend's name is matched (without pandas: client.toml's settings check handles with it).

A name's key is the name trimmed, without a leading '@', case-folded. A code source or campaign names a creator
when its whole name is the creator's key, or else by the first handle it holds: "@" and letters, digits, '_' or
'.' ("Spark – @Lena.Outdoor" names "lena.outdoor"; a full stop after a handle ends the sentence), not inside
an e-mail address."""

from __future__ import annotations

import re

# not after a letter, digit, '_' or '.': "newsletter@harbor.coffee" is an e-mail address, not a handle
HANDLE = r"(?<![A-Za-z0-9_.])@([A-Za-z0-9_.]*[A-Za-z0-9_])"


def name_key(name) -> str | None:
    """A name as a key (None for a missing or empty name)."""
    if not isinstance(name, str):
        return None
    return name.strip().lstrip("@").casefold() or None


_HANDLE = re.compile(HANDLE)


def handle_key(name, known: set[str] | frozenset[str]) -> str | None:
    """The creator a code source or campaign names: its own key when that is a `known` creator, else its
    first handle's (None: it names none)."""
    key = name_key(name)
    if key is None or key in known:
        return key
    found = _HANDLE.search(name)
    return found.group(1).casefold() if found else None
