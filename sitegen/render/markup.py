"""Commentary markdown with live macros: {{ kpi("roi") }}, {{ chart("likes_daily") }} and friends.

The text is first run through a sandboxed Jinja environment whose macros return opaque tokens,
then through markdown, and the tokens are swapped for the macros' HTML at the end, so markdown
never mangles a chart or a table and macros work inline and as blocks alike. The swap is one pass over
the markdown output, so text from data inside a macro's HTML (a campaign called "sgmacro0x") is never
taken for a token, and the tokens carry a hash of the source, so the author's own words are not either.

Commentary is the author's own and may hold HTML. With `sanitize=True` (`sanitize_commentary` in
sitegen.toml) the markdown output goes through nh3 before the macros' HTML is swapped in: the tags
markdown writes stay, scripts, styles, event handlers and `javascript:` links go, and sitegen's own
charts, tables and KPI values are untouched.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from pathlib import Path

from jinja2 import StrictUndefined, TemplateError, TemplateSyntaxError
from markupsafe import Markup

from sitegen.errors import SitegenError
from sitegen.render.commentary_sandbox import BoundedSandbox, CommentaryLimit, render_bounded
from sitegen.render.macro_calls import expand_calls
from sitegen.render.markdown_fast import markdown_html

_ENV = BoundedSandbox(undefined=StrictUndefined, autoescape=False, keep_trailing_newline=True)
_TEMPLATE_FILE = "<template>"


class MacroError(Exception):
    """A macro was called with a name or argument it does not know."""


# What sanitize=True keeps: the tags and attributes Python-Markdown writes (with "extra": tables, footnotes,
# abbreviations, definition lists, fenced code), links and images with web, mail or relative addresses.
SAFE_TAGS = frozenset({
    "p", "br", "hr", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "b", "em", "i", "code", "pre", "blockquote",
    "ul", "ol", "li", "dl", "dt", "dd", "a", "img", "table", "thead", "tbody", "tfoot", "tr", "th", "td",
    "abbr", "sup", "sub", "del", "ins", "div", "span",
})
SAFE_ATTRIBUTES = {
    "a": {"href", "title"}, "img": {"src", "alt", "title"}, "abbr": {"title"}, "ol": {"start"},
    "th": {"style", "colspan", "rowspan"}, "td": {"style", "colspan", "rowspan"}, "code": {"class"},
    "sup": {"id"}, "li": {"id"},  # footnotes; no other ids, so nothing can shadow the page's own
}
SAFE_CLASSES = {"div": {"footnote"}, "a": {"footnote-ref", "footnote-backref"}}
SAFE_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_FOOTNOTE_ID = re.compile(r"fn(?:ref\d*)?:[\w.-]+")


def _attribute(tag: str, name: str, value: str) -> str | None:
    return None if name == "id" and not _FOOTNOTE_ID.fullmatch(value) else value


def sanitize_html(html: str) -> str:
    """The author's HTML without scripts, styles, event handlers, unsafe URLs or tags markdown does not write."""
    import nh3  # imported here: only projects that ask for it load it

    return nh3.clean(html, tags=set(SAFE_TAGS), attributes={k: set(v) for k, v in SAFE_ATTRIBUTES.items()},
                     allowed_classes={k: set(v) for k, v in SAFE_CLASSES.items()}, attribute_filter=_attribute,
                     url_schemes=set(SAFE_URL_SCHEMES), filter_style_properties={"text-align"},
                     clean_content_tags={"script", "style"}, strip_comments=True)


_TOKEN = re.compile(r"<p>\s*(sgm[0-9a-f]{12})t(\d+)x\s*</p>|(sgm[0-9a-f]{12})t(\d+)x")  # a macro's place


def render_commentary(source: str, path: Path, first_line: int,
                      macros: dict[str, Callable[..., str]], *, sanitize: bool = False) -> Markup:
    if not source.strip():
        return Markup("")
    store: list[str] = []
    # letters and digits only (markdown leaves them alone), derived from the source so it does not occur in it
    marker = "sgm" + hashlib.blake2b(source.encode("utf-8", "surrogatepass"), digest_size=6).hexdigest()

    def tokenised(fn: Callable[..., str]) -> Callable[..., str]:
        def call(*args, **kwargs) -> str:
            store.append(fn(*args, **kwargs))
            return f"{marker}t{len(store) - 1}x"
        call.commentary_macro = True  # called as it is in the sandbox (its arguments are checked by the macro)
        return call

    padded = "\n" * (first_line - 1) + source  # so Jinja's line numbers are the file's
    calls = {name: tokenised(fn) for name, fn in macros.items()}
    try:
        text = expand_calls(padded, calls)
    except Exception:  # Jinja calls the macros again and reports the error with its line
        text = None
    if text is None:
        store.clear()
        text = _jinja(padded, calls, path)
    html = markdown_html(text)
    if sanitize:
        html = sanitize_html(html)
    return Markup(swap_tokens(html, marker, store))


def swap_tokens(html: str, marker: str, store: list[str]) -> str:
    """Each token of `marker` (alone in a paragraph, or inline) for the macro's HTML it stands for, in one pass,
    so the macros' HTML (which holds text from data) is never searched for tokens. A token of another marker
    (the author's own words) stays as it is, and holds none of this one."""
    def swap(m: re.Match) -> str:
        return store[int(m[2] or m[4])] if (m[1] or m[3]) == marker else m[0]
    return _TOKEN.sub(swap, html)


# what commentary's own expressions can raise ({{ 1/0 }}, {{ [][1] }}, a macro calling itself forever)
_PYTHON_ERRORS = (ArithmeticError, LookupError, TypeError, ValueError, AttributeError, RecursionError, MemoryError)


def _jinja(padded: str, calls: dict[str, Callable[..., str]], path: Path) -> str:
    try:
        return render_bounded(_ENV.from_string(padded), calls)
    except TemplateSyntaxError as exc:
        raise SitegenError(f"commentary syntax error: {exc.message}", path, exc.lineno) from None
    except (MacroError, CommentaryLimit) as exc:
        raise SitegenError(str(exc), path, _template_line(exc)) from None
    except TemplateError as exc:
        raise SitegenError(f"commentary error: {exc}", path, _template_line(exc)) from None
    except _PYTHON_ERRORS as exc:
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise SitegenError(f"{message} in commentary", path, _template_line(exc)) from None


def _template_line(exc: BaseException) -> int | None:
    """The commentary line the error happened on, from Jinja's rewritten traceback."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == _TEMPLATE_FILE:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line
