"""A password-protected client's pages, sealed: each page, with every file of the client it shows or offers
(chart images, kpis.json, kpis.csv, logo, font) embedded in it, is compressed and encrypted with AES-256-GCM, and
published as a locked page that asks for the password and opens it in the browser (WebCrypto; the script is
`themes/default/templates/partials/unlock.js`).

Keys: the client's key is PBKDF2-HMAC-SHA-256 of the password (project.privacy: its salt, the iteration count);
each file gets a random salt and nonce, and its own key from the client's by HKDF-SHA-256."""

from __future__ import annotations

import base64
import gzip
import hashlib
import hmac
import html as html_text
import json
import os
import posixpath
import re
from collections.abc import Callable
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.kdf.pbkdf2 import PBKDF2HMAC

from sitegen.project.privacy import KDF_ITERATIONS, Password, Sealing
from sitegen.render.files import OutputFile

PAGE_INFO = b"sitegen sealed page v1"
RECORD_MAGIC = b"sitegen sealed record v1\n"
_MEDIA_TYPES = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
                ".gif": "image/gif", ".webp": "image/webp", ".ico": "image/x-icon", ".json": "application/json",
                ".csv": "text/csv", ".woff2": "font/woff2", ".woff": "font/woff", ".ttf": "font/ttf",
                ".otf": "font/otf", ".pdf": "application/pdf"}
_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)(\s[^<>]*?\b(?:src|href)="[^<>]*)>')  # tags that reference a file
_REFERENCE = re.compile(r'\b(src|href)="([^"]*)"')
_CSS_URL = re.compile(r'url\("([^"]*)"\)')
_NOSCRIPT = re.compile(r"<noscript\b.*?</noscript>", re.DOTALL | re.IGNORECASE)  # a sealed page opens by script
_ATTRIBUTE = re.compile(r"""\s+([^\s"'=<>/]+)(\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'=<>`]+))?""")

Render = Callable[[str, dict], bytes]  # the locked page at a path, for a sealed envelope


@lru_cache(maxsize=64)
def _client_key(salt: bytes, password: bytes, iterations: int) -> bytes:
    return PBKDF2HMAC(hashes.SHA256(), 32, salt, iterations).derive(password)


def client_key(sealing: Sealing) -> bytes:
    """The client's key (the costly step: once a process per client and password)."""
    return _client_key(sealing.salt, sealing.password.utf8, KDF_ITERATIONS)


def _file_key(key: bytes, file_salt: bytes) -> bytes:
    return HKDF(hashes.SHA256(), 32, salt=file_salt, info=PAGE_INFO).derive(key)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def seal(sealing: Sealing, plaintext: bytes) -> dict:
    """The envelope of `plaintext` (gzip-compressed, then encrypted), as the locked page carries it."""
    file_salt, nonce = os.urandom(16), os.urandom(12)
    packed = gzip.compress(plaintext, compresslevel=6, mtime=0)
    data = AESGCM(_file_key(client_key(sealing), file_salt)).encrypt(nonce, packed, None)
    return {"v": 1, "kdf": "PBKDF2-SHA-256", "iterations": KDF_ITERATIONS, "salt": _b64(sealing.salt),
            "file_salt": _b64(file_salt), "nonce": _b64(nonce), "data": _b64(data)}


def unseal(password: str, envelope: dict) -> bytes | None:
    """The plaintext of an envelope, or None when the password is not the one it was sealed with (as the browser
    does it; for tests and `sitegen pdf`)."""
    get = base64.b64decode
    key = _client_key(get(envelope["salt"]), Password(password).utf8, envelope["iterations"])
    try:
        plain = AESGCM(_file_key(key, get(envelope["file_salt"]))).decrypt(get(envelope["nonce"]),
                                                                          get(envelope["data"]), None)
    except InvalidTag:
        return None
    return gzip.decompress(plain)


def envelope_of(page: bytes) -> dict | None:
    """The envelope a locked page carries, if it is one."""
    match = re.search(rb'<script type="application/json" id="sitegen-sealed">([^<]*)</script>', page)
    return json.loads(match[1]) if match else None


def seal_files(sealing: Sealing, files: list[OutputFile], extra: dict[str, Callable[[], bytes]],
               render: Render, before: dict[str, tuple[str, bytes]] | None = None) -> tuple[list[OutputFile],
                                                                                         dict[str, str]]:
    """A client's files as published sealed, and a keyed hash of each one's plaintext: each HTML page, with the
    files it references (among `files` and `extra`, output path -> bytes) embedded, becomes a locked page; those
    files are not published apart. A file no page references is published as a bare envelope. A file whose
    plaintext hash is the one `before` holds for its path (hash, sealed bytes) keeps those bytes."""
    by_path = {f.path: (lambda data=f.data: data) for f in files if not f.path.endswith(".html")}

    def shell(path: str) -> bytes:  # the locked page without its sealed page
        return hashlib.sha256(render(path, {}) if path.endswith(".html") else b"").digest()

    available = {**extra, **by_path}
    embedded: set[str] = set()
    pages = [(f.path, _embedded(f.path, _NOSCRIPT.sub("", f.data.decode("utf-8")), available, embedded).encode(),
              True) for f in files if f.path.endswith(".html")]
    bare = [(path, by_path[path](), False) for path in sorted(set(by_path) - embedded)]
    sealed, seals = [], {}
    for path, plain, is_page in [*pages, *bare]:
        # a page sealed with another password, or locked by another locked page, is never kept
        seals[path] = hmac.new(sealing.record_key, b"\0".join([sealing.fingerprint.encode(), shell(path),
                                                                path.encode(), plain]), hashlib.sha256).hexdigest()
        kept = (before or {}).get(path)
        if kept is not None and kept[0] == seals[path]:
            sealed.append(OutputFile(path, kept[1]))
        elif is_page:
            sealed.append(OutputFile(path, render(path, seal(sealing, plain))))
        else:
            sealed.append(OutputFile(path, json.dumps(seal(sealing, plain), sort_keys=True).encode()))
    return sealed, seals


def _embedded(page_path: str, html: str, available: dict[str, Callable[[], bytes]], embedded: set[str]) -> str:
    """The page with every reference to an available file replaced by the file itself, as a data: URL (a link to
    download one keeps the file's name)."""
    folder = posixpath.dirname(page_path)

    def resolve(reference: str) -> str | None:
        if not reference or ":" in reference or reference.startswith(("/", "#", "?")):
            return None
        target = posixpath.normpath(posixpath.join(folder, reference))
        return target if target in available else None

    def data_url(target: str) -> str:
        embedded.add(target)
        media = _MEDIA_TYPES.get(posixpath.splitext(target)[1].lower(), "application/octet-stream")
        return f"data:{media};base64,{_b64(available[target]())}"

    def tag(match: re.Match) -> str:
        name, attributes = match[1].lower(), match[2]
        download = []

        def attribute(m: re.Match) -> str:
            target = resolve(html_text.unescape(m[2]))
            if target is None:
                return m[0]
            if name == "a" and m[1] == "href":
                download.append(posixpath.basename(target))
            return f'{m[1]}="{data_url(target)}"'

        attributes = _REFERENCE.sub(attribute, attributes)
        closing = "/" if attributes.endswith("/") else ""
        attributes = attributes.removesuffix("/")
        return f"<{match[1]}{_named_download(attributes, download[0]) if download else attributes}{closing}>"

    def css_url(match: re.Match) -> str:
        target = resolve(match[1])
        return match[0] if target is None else f'url("{data_url(target)}")'

    return _CSS_URL.sub(css_url, _TAG.sub(tag, html))


def _named_download(attributes: str, name: str) -> str:
    """The attributes of a link to an embedded file, with a `download` attribute that names the file (a data: URL
    has no name of its own); a name the page gave is kept."""
    named = f' download="{html_text.escape(name)}"'
    for m in _ATTRIBUTE.finditer(attributes):
        if m[1].lower() == "download":
            return attributes if m[2] else attributes[:m.start()] + named + attributes[m.end():]
    return attributes + named


def seal_record(key: bytes, data: bytes) -> bytes:
    """The client's record of published figures, sealed with a key from the project secret. The nonce is derived
    from the record, so that a build that changes nothing writes the same bytes (it reveals only that a record is
    the same as before)."""
    nonce = hmac.new(key, data, hashlib.sha256).digest()[:12]
    return RECORD_MAGIC + base64.b64encode(nonce + AESGCM(key).encrypt(nonce, data, RECORD_MAGIC)) + b"\n"


def open_record(key: bytes, data: bytes) -> bytes | None:
    """A sealed record's bytes (None if it is damaged or was sealed with another secret); a record that was
    published unsealed is returned as it is."""
    if not data.startswith(RECORD_MAGIC):
        return data
    try:
        raw = base64.b64decode(data[len(RECORD_MAGIC):].strip(), validate=True)
        return AESGCM(key).decrypt(raw[:12], raw[12:], RECORD_MAGIC)
    except (ValueError, InvalidTag):
        return None
