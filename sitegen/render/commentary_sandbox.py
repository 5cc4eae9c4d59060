"""The Jinja sandbox commentary runs in, with bounds on the work it may ask for: Jinja's sandbox keeps templates
from Python's internals, but not from `{{ 'a' * 300000000 }}`, a loop that never ends, or a string doubled in
a loop until memory runs out. Here every value an operator, filter, method or `~` makes is weighed (characters
and items, counted through lists) before it is made where its size can be told beforehand, and after
otherwise; the text written is counted; and one text's evaluation has a time limit. Commentary can neither
change lists nor dicts (the immutable sandbox), so values only grow through these checked ways."""

from __future__ import annotations

import re
import string
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import Any

from jinja2 import Template
from jinja2.exceptions import SecurityError
from jinja2.runtime import markup_join, str_join
from jinja2.sandbox import ImmutableSandboxedEnvironment

MAX_ITEMS = 1_000_000  # characters and items of one value (a string, a list and what it holds)
MAX_OUTPUT = 10_000_000  # characters one text writes
MAX_RANGE = 100_000  # numbers in a range, as Jinja's sandbox allows
MAX_DIGITS = 10_000  # of a whole number
TIME_LIMIT = 5.0  # seconds for evaluating one text (commentary is milliseconds of work)

_BITS = int(MAX_DIGITS * 3.33)  # the bits of a whole number of MAX_DIGITS digits (log2(10) = 3.32...)
# a %-conversion's width and precision
_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[#0 +\-]*(\*|\d+)?(?:\.(\*|\d+))?")


class CommentaryLimit(SecurityError):
    """Commentary asked for more than it may: a value, an output or a time beyond the limits above."""


def _too_big() -> CommentaryLimit:
    return CommentaryLimit(f"commentary asks for a value of more than {MAX_ITEMS:,} characters or items")


def weight(value: Any, limit: int = MAX_ITEMS) -> int:
    """Characters and items `value` holds, counted through lists, tuples, sets and dicts until past `limit`."""
    total, stack = 0, [value]
    while stack and total <= limit:
        v = stack.pop()
        if isinstance(v, str | bytes):
            total += len(v)
        elif isinstance(v, list | tuple | set | frozenset):
            total += len(v)
            stack.extend(v)
        elif isinstance(v, dict):
            total += len(v)
            stack.extend(v.keys())
            stack.extend(v.values())
        elif type(v) is int:
            total += v.bit_length() // 64
        else:
            total += 1
    return total


def checked(value: Any) -> Any:
    """`value`, if it is within the limits."""
    if type(value) is int and value.bit_length() > _BITS:
        raise _number_too_big()
    if weight(value) > MAX_ITEMS:
        raise _too_big()
    return value


def _number_too_big() -> CommentaryLimit:
    return CommentaryLimit(f"commentary asks for a number of more than {MAX_DIGITS:,} digits")


def _within(size: int) -> None:
    if size > MAX_ITEMS:
        raise _too_big()


def _format_width(text: str, percent: bool) -> int:
    """The characters the widths and precisions of a format string ask for, in all (% or str.format)."""
    if percent:
        numbers = [n for m in _PERCENT_SPEC.finditer(text) for n in m.groups() if n and n != "*"]
    else:
        try:
            specs = [spec for _, _, spec, _ in string.Formatter().parse(text) if spec]
        except ValueError:
            return 0  # str.format says what is wrong with it
        numbers = [n for spec in specs for n in re.findall(r"\d+", spec)]
    return sum(int(n) if len(n) <= 8 else MAX_ITEMS + 1 for n in numbers)


def _before_binop(op: str, left: Any, right: Any) -> None:
    if op == "*":
        for seq, n in ((left, right), (right, left)):
            if isinstance(seq, str | list | tuple) and type(n) is int:
                _within(weight(seq) * max(n, 0))
        if type(left) is int and type(right) is int and left.bit_length() + right.bit_length() > _BITS:
            raise _number_too_big()
    elif op == "**" and type(left) is int and type(right) is int and abs(left) > 1 and right > 0:
        if (left.bit_length() - 1) * right > _BITS:
            raise _number_too_big()
    elif op == "+" and not (isinstance(left, int | float) and isinstance(right, int | float)):
        _within(weight(left) + weight(right))
    elif op == "%" and isinstance(left, str):
        _within(_format_width(left, percent=True) + weight(left) + weight(right))


def _method_makes(name: str, text: str, args: tuple, kwargs: dict) -> int:
    """At most how many characters the method `name` of the string `text` makes (0: no more than it is given)."""
    ints = [n for n in (*args, *kwargs.values()) if type(n) is int]
    if name in ("center", "ljust", "rjust", "zfill"):
        return max(ints, default=0)
    if name == "expandtabs":
        return len(text) * max(ints[0] if ints else 8, 1)
    if name == "join" and args:
        return weight(args[0]) + len(text) * _count(args[0])
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str) and isinstance(args[1], str):
        return len(text) + text.count(args[0]) * len(args[1])
    return 0


def _filter_makes(name: str, value: Any, args: list, kwargs: dict) -> int:
    """At most how many characters or items the filter `name` makes of `value` (0: no more than it is given)."""
    text = value if isinstance(value, str) else ""
    first = kwargs.get({"indent": "width", "tojson": "indent"}.get(name, ""), args[0] if args else None)
    if name in ("center", "batch", "slice"):
        return max((n for n in (*args, *kwargs.values()) if type(n) is int), default=0)
    if name == "indent":
        width = len(first) if isinstance(first, str) else first if type(first) is int else 4
        return len(text) + (text.count("\n") + 1) * width
    if name == "wordwrap":
        wrap = kwargs.get("wrapstring", args[2] if len(args) > 2 else "\n")
        return len(text) * (1 + len(wrap)) if isinstance(wrap, str) else 0
    if name == "tojson":
        return weight(value) ** 2 * first if type(first) is int else 0
    if name == "format":
        return _format_width(text, percent=True) + len(text) + weight(args) + weight(kwargs)
    if name == "join":
        separator = first if isinstance(first, str) else ""
        return weight(value) + len(separator) * _count(value)
    if name == "replace" and len(args) >= 2 and isinstance(args[0], str):
        return len(text) + text.count(args[0]) * len(str(args[1]))
    return 0


def _bounded_filter(name: str, function: Callable) -> Callable:
    passed = getattr(function, "jinja_pass_arg", None) is not None  # a context or environment comes first

    @wraps(function)  # (keeps Jinja's mark for that)
    def bounded(*args, **kwargs):
        values = args[1:] if passed else args
        for value in (*values, *kwargs.values()):
            _within(weight(value))
        if values:
            _within(_filter_makes(name, values[0], list(values[1:]), kwargs))
        return checked(function(*args, **kwargs))
    return bounded


def _count(items: Any) -> int:
    return len(items) if hasattr(items, "__len__") else 0


def _bounded_join(join: Callable) -> Callable:
    def bounded(seq):
        items = list(seq)
        _within(sum(weight(item) for item in items))
        return join(items)
    return bounded


def _concat(parts) -> str:
    """A block's text ({% set %}...{% endset %}, a macro's): at most MAX_OUTPUT characters."""
    parts = list(parts)
    if sum(len(p) for p in parts) > MAX_OUTPUT:
        raise CommentaryLimit(f"commentary writes more than {MAX_OUTPUT:,} characters")
    return "".join(parts)


def _range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise CommentaryLimit(f"commentary asks for a range of {len(numbers):,} numbers, expected at most "
                              f"{MAX_RANGE:,}")
    return numbers


class _BoundedTemplate(Template):
    @classmethod
    def _from_namespace(cls, environment, namespace, globals):
        # `~` joins its operands with these; the compiled code imports them from jinja2.runtime
        namespace["str_join"], namespace["markup_join"] = _bounded_join(str_join), _bounded_join(markup_join)
        return super()._from_namespace(environment, namespace, globals)


class BoundedSandbox(ImmutableSandboxedEnvironment):
    """The commentary's Jinja environment: the immutable sandbox, with the bounds of this module. Callables marked
    `commentary_macro` (sitegen's own macros) are called as they are."""

    intercepted_binops = frozenset({"*", "**", "+", "%"})
    template_class = _BoundedTemplate

    def __init__(self, **options: Any):
        super().__init__(finalize=checked, **options)
        self.concat = _concat
        self.globals["range"] = _range
        self.globals.pop("lipsum", None)  # placeholder text, made in loops: nothing a report needs
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    def call_binop(self, context, operator_name: str, left: Any, right: Any) -> Any:
        _before_binop(operator_name, left, right)
        return checked(self.binop_table[operator_name](left, right))

    def call(__self, __context, __obj, *args, **kwargs):
        if getattr(__obj, "commentary_macro", False):  # sitegen's own code: no bounds, and not traced
            previous = sys.gettrace()
            sys.settrace(None)
            try:
                return __context.call(__obj, *args, **kwargs)
            finally:
                sys.settrace(previous)
        for value in (*args, *kwargs.values()):
            _within(weight(value))
        if isinstance(getattr(__obj, "__self__", None), str):
            _within(_method_makes(getattr(__obj, "__name__", ""), __obj.__self__, args, kwargs))
        return checked(super().call(__context, __obj, *args, **kwargs))

    def wrap_str_format(self, value: Any):
        wrapper = super().wrap_str_format(value)
        if wrapper is None:
            return None

        @wraps(wrapper)
        def bounded(*args, **kwargs):
            text = value.__self__
            widths = _format_width(text, percent=False)
            if "{" in text.partition(":")[2]:  # widths given as arguments: '{:{}}'.format(x, 10**9)
                widths += sum(n for n in (*args, *kwargs.values()) if type(n) is int and n > 0)
            _within(widths + len(text) + weight(args) + weight(kwargs))
            return checked(wrapper(*args, **kwargs))
        return bounded


def render_bounded(template: Template, context: dict[str, Any]) -> str:
    """The template's text, within MAX_OUTPUT characters and TIME_LIMIT seconds."""
    parts, size = [], 0
    with _time_limit(template, TIME_LIMIT):
        for part in template.generate(context):
            size += len(part)
            if size > MAX_OUTPUT:
                raise CommentaryLimit(f"commentary writes more than {MAX_OUTPUT:,} characters")
            parts.append(part)
    return "".join(parts)


@contextmanager
def _time_limit(template: Template, seconds: float) -> Iterator[None]:
    """Stop the template's own code (not sitegen's macros it calls) once `seconds` have passed: a trace function
    on its lines, in this thread only, raises CommentaryLimit there, so the error has the template's line."""
    deadline = time.monotonic() + seconds

    def on_line(frame, event, arg):
        if time.monotonic() > deadline:
            raise CommentaryLimit(f"commentary took more than {seconds:g} s to evaluate (a loop too long?)")
        return on_line

    def on_call(frame, event, arg):
        return on_line if frame.f_globals.get("__jinja_template__") is template else None

    previous = sys.gettrace()
    sys.settrace(on_call)
    try:
        yield
    finally:
        sys.settrace(previous)
