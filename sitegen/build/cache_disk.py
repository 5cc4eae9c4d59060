"""The build cache on disk, so that `sitegen build` redoes only what changed since the last build.

It lives in the project's cache folder (`.sitegen-cache/build/`, never in output/; see `sitegen.storage`):
per client its last output (numbers, chart specs and images, rendered pages) and a small head saying what it
holds, plus the file hashes and parsed commentary. Files are pickles, so each is signed with a key that only
this user can read (`~/.config/sitegen/cache-key`): a cache that someone else wrote, or a damaged one, is
ignored rather than loaded. A cache from another sitegen version is ignored too.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import hmac
import os
import pickle
import secrets
import struct
import zlib
from collections.abc import Callable
from pathlib import Path

from sitegen import __version__
from sitegen.build.cache import BuildCache
from sitegen.build.outputs import ClientOutput, Computed, ReportOutput
from sitegen.build.plan import ClientPlan
from sitegen.build.writer import Stamp
from sitegen.storage import code_fingerprint, write_atomic

MAGIC = b"sitegen-cache-4\n"
_SIZE = struct.Struct("<Q")  # the pickle's length, before the compressed bytes (zstd needs it to decompress)
ZSTD, ZLIB = b"s", b"z"  # a file's first byte after its signature: how its pickle is compressed


def _compress(data: bytes, codec: bytes) -> bytes:
    """A client's pages and numbers in zstd through pyarrow (loaded by the build that made them; a third of
    zlib's time at a better ratio); what every build reads (heads, the shared state) in zlib, so that a build
    that finds nothing changed does not load pyarrow to read them."""
    if codec == ZLIB:
        return ZLIB + zlib.compress(data, 1)
    import pyarrow

    return ZSTD + _SIZE.pack(len(data)) + pyarrow.compress(data, codec="zstd", asbytes=True)


def _decompress(body: bytes) -> bytes:
    if body[:1] == ZLIB:
        return zlib.decompress(memoryview(body)[1:])
    import pyarrow

    (size,) = _SIZE.unpack_from(body, 1)
    return pyarrow.decompress(memoryview(body)[1 + _SIZE.size:], decompressed_size=size, codec="zstd", asbytes=True)


def _key() -> bytes | None:
    base = Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "sitegen"
    path = base / "cache-key"
    try:
        if not path.is_file():
            base.mkdir(parents=True, exist_ok=True)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass  # another build made it just now
            else:
                with os.fdopen(fd, "wb") as handle:
                    handle.write(secrets.token_bytes(32))
        key = path.read_bytes()
        return key if len(key) == 32 else None
    except OSError:
        return None  # no private place for a key: no cache on disk


@functools.cache
def _schema() -> str:
    """sitegen's version, its code and the fields of what is stored: a cache written by other code is not read
    (a change to how a KPI is computed or a page written, in a development install, means a full build)."""
    shapes = [(c.__name__, [f.name for f in dataclasses.fields(c)])
              for c in (ClientOutput, ReportOutput, Computed, ClientPlan)]
    return f"{__version__} {code_fingerprint()} {shapes}"


def _dump(path: Path, value, key: bytes, codec: bytes = ZLIB) -> None:
    body = _compress(pickle.dumps((_schema(), value), protocol=5), codec)
    signature = hmac.new(key, body, hashlib.sha256).digest()
    write_atomic(path, MAGIC + signature + body)


def _load(path: Path, key: bytes):
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if not data.startswith(MAGIC):
        return None
    signature, body = data[len(MAGIC):len(MAGIC) + 32], data[len(MAGIC) + 32:]
    if not hmac.compare_digest(signature, hmac.new(key, body, hashlib.sha256).digest()):
        return None
    try:
        version, value = pickle.loads(_decompress(body))
    except Exception:  # a damaged file of our own: rebuild what it held
        return None
    return value if version == _schema() else None


def load(store: Path) -> BuildCache:
    """The cache of the last build in `store` (storage.build_cache), or an empty one."""
    cache = BuildCache()
    key = _key()
    if key is None:
        return cache
    state = _load(store / "state.pickle", key)
    if state is not None:
        cache.files.known, cache.commentary.entries, cache.templates, cache.output_state = state
        for path in sorted(store.glob("client-*.pickle")):
            head = _load(path, key)
            body = path.with_suffix(BODY)
            if head is not None and body.is_file():
                output, stamps = head
                cache.clients[output.slug] = output
                cache.stamps[output.slug] = stamps
                cache.unread[output.slug] = functools.partial(_load, body, key)
    return cache


NEW = ".new"  # a client's cache written by a build that has not finished yet
BODY = ".body"  # a client's pages and numbers; its `.pickle` holds only what deciding what to rebuild needs


def save_client(store: Path, output: ClientOutput, stamp: Callable[[str], Stamp | None]) -> None:
    """Keep a client built in this run, to be put in place by `finish` (or dropped by `discard`); `stamp`: the
    stamp of each of its files in the new site (`SiteWriter.stamp`).

    Until the build has swapped its site in, the cache must keep describing the site in the output."""
    key = _key()
    if key is None:
        return
    whole = dataclasses.replace(output, facts=None)  # loaded data stays out: large, and cheap to load again
    head = dataclasses.replace(whole, files=[], index=[], report_outputs=[
        dataclasses.replace(r, computed=None, files=[]) for r in output.report_outputs])
    try:
        _dump(store / f"client-{output.slug}{BODY}{NEW}", whole, key, ZSTD)
        stamps = {f.path: stamp(f.path) for f in output.files}
        _dump(store / f"client-{output.slug}.pickle{NEW}", (head, stamps), key)
    except OSError:
        pass  # a read-only project only costs the next build its time


def discard(store: Path) -> None:
    for path in store.glob(f"client-*{NEW}"):
        path.unlink(missing_ok=True)


def finish(store: Path, cache: BuildCache, changed: set[str]) -> None:
    """Put the clients built in this run (`changed`) in place, drop clients gone, write the shared state."""
    key = _key()
    if key is None:
        return
    try:
        complete = True
        for slug in changed:
            pair = (f"client-{slug}{BODY}", f"client-{slug}.pickle")  # the head last: it needs the body
            if all((store / f"{name}{NEW}").exists() for name in pair):
                for name in pair:
                    os.replace(store / f"{name}{NEW}", store / name)
            else:  # its cache could not be written (save_client): what is kept describes older pages
                complete = False
        discard(store)
        for path in [*store.glob("client-*.pickle"), *store.glob(f"client-*{BODY}")]:
            if path.stem.removeprefix("client-") not in cache.clients:
                path.unlink(missing_ok=True)
        # the output is the one this cache describes only if every client built was kept: otherwise the next
        # build must not link a page from the output for a client whose cache holds other pages
        _dump(store / "state.pickle", (cache.files.known, cache.commentary.entries, cache.templates,
                                       cache.output_state if complete else None), key)
    except OSError:
        pass
