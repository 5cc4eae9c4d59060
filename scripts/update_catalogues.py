"""Extract every translatable string and merge it into the catalogues.

    python scripts/update_catalogues.py

Runs `pybabel extract` over the code and the built-in themes (babel.cfg), then `pybabel update` for
every language in sitegen/locale. The English catalogue translates each message to itself, so it is
complete by construction; other languages get new messages with an empty translation (shown in
English, and reported by `sitegen build --strict`) until someone translates them.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.pofile import read_po, write_po

REPO = Path(__file__).resolve().parents[1]
LOCALE = REPO / "sitegen" / "locale"
POT = LOCALE / "messages.pot"


def pybabel(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", *args], cwd=REPO, check=True)


def main() -> None:
    pybabel("extract", "-F", "babel.cfg", "-k", "N_", "--no-location", "--omit-header", "--sort-output",
            "-o", str(POT.relative_to(REPO)), ".")
    for folder in sorted(p for p in LOCALE.iterdir() if p.is_dir()):
        pybabel("update", "-i", str(POT.relative_to(REPO)), "-d", str(LOCALE.relative_to(REPO)), "-l", folder.name,
                "--no-fuzzy-matching", "--omit-header", "--ignore-obsolete")
    english = LOCALE / "en" / "LC_MESSAGES" / "messages.po"
    with english.open("rb") as handle:
        catalog = read_po(handle, locale="en")
    for message in catalog:
        if message.id:
            message.string = message.id
    with english.open("wb") as handle:
        write_po(handle, catalog, omit_header=True, sort_output=True, no_location=True)


if __name__ == "__main__":
    main()
