"""The words sitegen writes, in the client's language: gettext catalogues read with Babel.

Catalogues live in `sitegen/locale/<language>/LC_MESSAGES/messages.po` and are extracted from the
code and the built-in themes with `pybabel extract -F babel.cfg` (scripts/update_catalogues.py does it).
A string with no translation falls back to English; every such miss is recorded so `--strict` can report it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "messages"
SOURCE_LANGUAGE = "en"


def N_(message: str) -> str:
    """Marks a string for extraction where it is defined; it is translated where it is shown."""
    return message


def _(message: str) -> str:
    """The message in the language being rendered (see `speaking`), English outside of it."""
    words = _current.get()
    return words.gettext(message) if words else message


@contextmanager
def speaking(lang: str) -> Iterator[Translator]:
    """Render in `lang`: every `_()` inside uses its catalogue."""
    token = _current.set(translator(lang))
    try:
        yield token.var.get()
    finally:
        _current.reset(token)


def spoken() -> str:
    """The language being rendered (see `speaking`), English outside of it."""
    words = _current.get()
    return words.language if words else SOURCE_LANGUAGE


def language(locale: str) -> str:
    return locale.replace("-", "_").split("_")[0].lower()


class Translator:
    """gettext for one language that remembers which messages had no translation."""

    def __init__(self, lang: str):
        self.language = lang
        self.missing: set[str] = set()
        self.recorders: list[set[str]] = []
        path = LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.po"
        self.available = path.is_file() or lang == SOURCE_LANGUAGE
        self.known: set[str] = set()
        self.translations: NullTranslations = NullTranslations()
        self.texts: dict[str, str] = {}  # message -> its translation (a page asks for the same words again and again)
        if path.is_file():
            with path.open("rb") as handle:
                catalog = read_po(handle, locale=lang)
            self.known = {m.id if isinstance(m.id, str) else m.id[0] for m in catalog
                          if m.id and m.string and (m.string if isinstance(m.string, str) else all(m.string))
                          and not m.fuzzy}
            buffer = io.BytesIO()
            write_mo(buffer, catalog)
            buffer.seek(0)
            self.translations = Translations(buffer, domain=DOMAIN)

    def _seen(self, message: str) -> None:
        if self.language != SOURCE_LANGUAGE and message not in self.known:
            self.missing.add(message)
            for seen in self.recorders:
                seen.add(message)

    @contextmanager
    def recording(self) -> Iterator[set[str]]:
        """The messages without a translation that are asked for inside the block (a cached page keeps them)."""
        seen: set[str] = set()
        self.recorders.append(seen)
        try:
            yield seen
        finally:
            self.recorders.remove(seen)

    def gettext(self, message: str) -> str:
        text = self.texts.get(message)
        if text is None:
            text = self.texts[message] = self.translations.gettext(message)
        self._seen(message)
        return text

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        self._seen(singular)
        return self.translations.ngettext(singular, plural, n)

    def warnings(self, missing: set[str]) -> list[str]:
        if not self.available:
            return [f"no translations for language {self.language!r}; pages use English"]
        return [f"no {Locale.parse(self.language).english_name} translation for {m!r}; English is used"
                for m in sorted(missing)]


@cache
def translator(lang: str) -> Translator:
    return Translator(lang)


_current: ContextVar[Translator | None] = ContextVar("sitegen_language", default=None)
