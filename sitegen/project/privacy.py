"""Private clients (`privacy = "link"` or `"password"`): the project secret and the clients' passwords, read from
the environment or the secrets file (never from content/), and what is derived from them: the token that names a
private client's folder, and the keys its pages are sealed with (render.sealed)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import stat
import tomllib
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sitegen.errors import Diagnostics, SitegenError

Privacy = Literal["none", "link", "password"]
PRIVACY_MODES = ("none", "link", "password")
SECRETS_FILE = ".sitegen-secrets.toml"
SECRETS_ENV = "SITEGEN_SECRETS_FILE"
SECRET_ENV = "SITEGEN_SECRET"
PASSWORD_ENV = "SITEGEN_PASSWORD_"  # + the slug upper-cased, "-" as "_"
MIN_PASSWORD = 12
MIN_SECRET_BYTES = 32
KDF_ITERATIONS = 600_000  # PBKDF2-HMAC-SHA-256, OWASP's Password Storage Cheat Sheet (2023)
UNPUBLISHED = ("/output-agency.html", "/output-preview/")  # beside the default output: never to be committed
_TOKEN_BYTES = 20  # 160 bits: base32, 32 characters


@dataclass(frozen=True)
class Password:
    """A client's password, kept out of reprs and messages."""

    text: str = ""

    def __repr__(self) -> str:
        return "Password(***)"

    @property
    def utf8(self) -> bytes:
        return unicodedata.normalize("NFC", self.text).encode("utf-8")


@dataclass(frozen=True)
class Secrets:
    """The project secret, where it was read from, and the secrets file's passwords as written (a client's is
    checked when it is used: `password`)."""

    secret: bytes | None
    file: Path
    written: dict[str, Any]  # slug -> the file's password

    def __repr__(self) -> str:
        return f"Secrets(file={self.file})"

    def password(self, slug: str) -> Password | None:
        """The client's password: the environment's, else the file's (None: neither has one)."""
        name = password_env(slug)
        if os.environ.get(name):
            return _password(os.environ[name], f"${name}")
        if slug not in self.written:
            return None
        return _password(self.written[slug], f"{self.file}: passwords.{slug}")


def password_env(slug: str) -> str:
    return PASSWORD_ENV + slug.upper().replace("-", "_")


@dataclass(frozen=True)
class Sealing:
    """What a password-protected client's pages are sealed with: the salt of its key and the password itself."""

    salt: bytes  # public (every locked page carries it): it must tell nothing of the password
    password: Password
    record_key: bytes  # seals the client's record of published figures: the build reads it, no client can
    # tells a build cache that the password or the secret changed; never published, since with the secret it
    # would test a guess at the cost of one HMAC, not of the key derivation
    fingerprint: str

    def __repr__(self) -> str:
        return "Sealing(***)"

    def report_dir(self, slug: str) -> str:
        """A report's folder: a name that says nothing (a report may be named after a campaign)."""
        digest = hmac.new(self.record_key, b"sitegen report folder\0" + slug.encode(), hashlib.sha256).digest()
        return base64.b32encode(digest[:10]).decode().lower()



def secrets_file(root: Path) -> Path:
    configured = os.environ.get(SECRETS_ENV)
    return Path(configured).expanduser().absolute() if configured else root / SECRETS_FILE


def read_secrets(root: Path, output: Path, diagnostics: Diagnostics) -> Secrets:
    """The secret and passwords: the environment's, else the secrets file's (which must lie outside content/ and
    the output)."""
    path = secrets_file(root)
    resolved = path.resolve()
    for folder, what in ((root / "content", "content/"), (output, "the output folder")):
        if resolved == folder.resolve() or folder.resolve() in resolved.parents:
            raise SitegenError(f"the secrets file lies in {what}, where it would be published or committed; move "
                               f"it beside the project (default: {SECRETS_FILE})", path)
    data = _read_file(path, diagnostics)
    secret_text = os.environ.get(SECRET_ENV) or data.get("secret")
    where = f"${SECRET_ENV}" if os.environ.get(SECRET_ENV) else path
    secret = _secret_bytes(secret_text, where) if secret_text is not None else None
    return Secrets(secret, path, {str(slug): value for slug, value in (data.get("passwords") or {}).items()})


def _read_file(path: Path, diagnostics: Diagnostics) -> dict:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return {}
    except (OSError, UnicodeDecodeError) as exc:
        raise SitegenError(f"cannot read the secrets file: {getattr(exc, 'strerror', None) or exc}", path) from None
    if os.name == "posix" and path.stat().st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        diagnostics.warn("other users of this machine may read the secrets file; make it yours alone: "
                         f"chmod 600 {path.name}", path)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SitegenError(f"invalid TOML: {exc}", path) from None
    if not isinstance(data.get("passwords", {}), dict):
        raise SitegenError("passwords: expected a table of client slug = \"password\"", path)
    return data


def _secret_bytes(text: Any, where: str | Path) -> bytes:
    if not isinstance(text, str):
        raise SitegenError("secret: expected a string (sitegen secret init writes one)", where)
    try:
        raw = base64.urlsafe_b64decode(text.strip() + "=" * (-len(text.strip()) % 4))
    except ValueError:
        raw = b""
    if len(raw) < MIN_SECRET_BYTES:
        raise SitegenError(f"the secret must be at least {MIN_SECRET_BYTES} random bytes in base64 (this is not); "
                           "make one with: sitegen secret init", where)
    return raw


def _password(value: Any, where: str) -> Password:
    if not isinstance(value, str):
        raise SitegenError(f"{where}: expected a string")
    if len(value) < MIN_PASSWORD:
        raise SitegenError(f"{where}: a password must have at least {MIN_PASSWORD} characters (this one has "
                           f"{len(value)})")
    return Password(value)


def new_secret() -> str:
    return base64.urlsafe_b64encode(secrets.token_bytes(MIN_SECRET_BYTES)).decode().rstrip("=")


def client_token(secret: bytes, slug: str) -> str:
    """The folder of a private client: unguessable without the secret, the same on every build."""
    digest = hmac.new(secret, b"sitegen client folder\0" + slug.encode(), hashlib.sha256).digest()
    return base64.b32encode(digest[:_TOKEN_BYTES]).decode().lower()


def client_sealing(secret: bytes, slug: str, password: Password) -> Sealing:
    """The client's key salt: unique to the client, unpredictable without the secret, and stable, so that nothing
    needs to be stored (a new secret gives a new one). It does not depend on the password: it is published."""
    def keyed(*parts: bytes) -> bytes:
        return hmac.new(secret, b"\0".join(parts), hashlib.sha256).digest()
    fingerprint = keyed(b"sitegen password fingerprint", slug.encode(), password.utf8).hex()[:32]
    return Sealing(keyed(b"sitegen kdf salt", slug.encode())[:16], password,
                   keyed(b"sitegen record", slug.encode()), fingerprint)


def write_secrets(root: Path, secret: str | None = None, passwords: dict[str, str] | None = None) -> Path:
    """Write the secrets file (only its owner may read it) with this secret and these passwords, keeping what the
    file held for what is not given. The project's .gitignore gets its name, and those of the agency's index and the
    preview beside the default output."""
    path = secrets_file(root)
    old = _read_file(path, Diagnostics()) if path.exists() else {}
    secret = secret or old.get("secret")
    merged = {**(old.get("passwords") or {}), **(passwords or {})}
    lines = ["# sitegen's secrets: never commit or publish this file (sitegen secret init wrote it)"]
    if secret:
        lines.append(f"secret = {_toml_string(secret)}")
    lines.append("\n[passwords]")
    lines += [f"{_toml_string(slug)} = {_toml_string(value)}" for slug, value in sorted(merged.items())]
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        file.write("\n".join(lines) + "\n")
    os.chmod(path, 0o600)  # a file that was there keeps its mode through O_CREAT
    names = [f"/{path.relative_to(root).as_posix()}"] if root in path.parents else []
    _ignore(root / ".gitignore", [*names, *UNPUBLISHED])
    return path


def _toml_string(value: str) -> str:
    if any(ord(c) < 32 and c != "\t" or ord(c) == 127 for c in value):
        raise SitegenError("a secret or password may not hold control characters")
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _ignore(gitignore: Path, names: list[str]) -> None:
    lines = gitignore.read_text(encoding="utf-8").splitlines() if gitignore.exists() else []
    missing = [n for n in names if n not in lines and n.lstrip("/") not in lines]
    if not missing:
        return
    with gitignore.open("a", encoding="utf-8") as file:
        if lines and lines[-1].strip():
            file.write("\n")
        file.write("# private reports: sitegen's secrets, the agency's index and the preview in the clear\n")
        file.write("".join(f"{n}\n" for n in missing))


def new_password() -> str:
    """A random password: 20 letters and digits without look-alikes, in four groups (99 bits)."""
    alphabet = "abcdefghjkmnpqrstuvwxyz23456789"
    return "-".join("".join(secrets.choice(alphabet) for _ in range(5)) for _ in range(4))
