"""Site (`sitegen.toml`) and client (`client.toml`) settings, validated as a schema.

Every error is collected and reported at once with its file and key; unknown keys
are warnings (failures under --strict).
"""

from __future__ import annotations

import re
import tomllib
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from babel import Locale, UnknownLocaleError
from babel.numbers import list_currencies
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from sitegen.data.kinds import KINDS
from sitegen.data.sources import check_table_name
from sitegen.errors import Diagnostics, SitegenError, raise_all
from sitegen.metrics.catalogue import DEFAULT_SUMMARY_KPIS, KPI_IDS, SECTIONS
from sitegen.metrics.handles import name_key
from sitegen.metrics.thresholds import AlertThresholds

SITE_FILE = "sitegen.toml"
CLIENT_FILE = "client.toml"
HEX_COLOUR = r"^#[0-9a-fA-F]{6}$"


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow", frozen=True)


def _check_kpi_ids(ids) -> None:
    unknown = sorted(set(ids) - set(KPI_IDS))
    if unknown:
        raise ValueError(f"unknown KPI id {', '.join(unknown)}; known ids: {', '.join(KPI_IDS)}")


def _check_locale(value: str | None) -> str | None:
    if value is not None:
        try:
            Locale.parse(value.replace("-", "_"))
        except (UnknownLocaleError, ValueError):
            raise ValueError(f"unknown locale {value!r}, expected e.g. 'en_US' or 'de_DE'") from None
        return value.replace("-", "_")
    return value


def check_currency(value: str | None) -> str | None:
    if value is not None and value not in list_currencies():
        raise ValueError(f"unknown currency {value!r}, expected an ISO 4217 code like 'EUR'")
    return value


def _check_timezone(value: str | None) -> str | None:
    if value is not None:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}, expected e.g. 'Europe/Berlin'") from None
    return value


# A CSS font-family list: family names (any script), spaces, hyphens, quotes and commas. Nothing that could end the
# declaration or load something: no ; { } ( @ / \\ < (and so no url(...)).
_FONT_FAMILIES = re.compile(r"[\w \-'\",]+")


def check_font(value: str | None) -> str | None:
    if value is not None and (not _FONT_FAMILIES.fullmatch(value) or value.count('"') % 2 or value.count("'") % 2):
        raise ValueError(f"{_one_line(value)[:80]!r} is not a list of font family names; expected names separated by "
                         "commas, such as 'Inter, \"Helvetica Neue\", sans-serif' (letters, digits, spaces, hyphens, "
                         "quotes and commas only)")
    return value


def check_relative_path(value: str | None, up: bool = True) -> str | None:
    """A relative path, as written (`up`: '..' allowed). Whether it stays inside the project, links followed, is
    checked where the project's folder is known (discover)."""
    if value is None:
        return value
    absolute = value.startswith(("/", "\\", "~")) or re.match(r"[A-Za-z]:", value) is not None
    if "\0" in value or absolute or (not up and ".." in value.replace("\\", "/").split("/")):
        where = "the project" if up else "the project's themes/ folder"
        raise ValueError(f"{_one_line(value)[:200]!r} is not a path inside {where}; expected a relative path"
                         f"{'' if up else ' without ..'}")
    return value


class Branding(_Model):
    """Agency branding; a client's `[branding]` overrides single keys."""

    agency: str | None = None
    logo: str | None = Field(None, description="Image path, relative to the file that sets it.")
    primary_color: str | None = Field(None, pattern=HEX_COLOUR)
    accent_color: str | None = Field(None, pattern=HEX_COLOUR)
    font: str | None = Field(None, description="CSS font-family list; with font_file, the brand font comes first.")
    font_file: str | None = Field(None, description="A font file (woff2, woff, ttf, otf) shipped with the site.")
    favicon: str | None = Field(None, description="Icon path (ico, png, svg), relative to the file that sets it.")
    footer: str | None = None

    _font = field_validator("font")(classmethod(lambda cls, v: check_font(v)))
    _paths = field_validator("logo", "font_file", "favicon")(classmethod(lambda cls, v: check_relative_path(v)))


class FxSettings(_Model):
    """`[fx]`: exchange rates that convert amounts in other currencies into the client's."""

    base: str | None = Field(None, description="The currency the rates are quoted against: one unit of it buys "
                             "`rate` units of each currency. Default: the client's currency (sitegen.toml must set "
                             "it).")
    rates: dict[date, dict[str, Annotated[float, Field(gt=0, allow_inf_nan=False)]]] = Field(
        default_factory=dict, description="Day = { currency = rate, ... }: the rates in force from that day until a "
        "later day gives the currency another.")
    file: str | None = Field(None, description="A CSV file of more rates, with the columns date, currency and rate, "
                             "relative to the file that sets it.")

    _base = field_validator("base")(classmethod(lambda cls, v: check_currency(v)))

    @field_validator("rates")
    @classmethod
    def _rates(cls, v: dict[date, dict[str, float]]) -> dict[date, dict[str, float]]:
        for table in v.values():
            for currency in table:
                check_currency(currency)
        return v

    @model_validator(mode="after")
    def _own_rate(self) -> FxSettings:
        if self.base is not None and any(self.base in table for table in self.rates.values()):
            raise ValueError(f"a rate for the base {self.base} itself (1 {self.base} is 1 {self.base}); leave it out")
        return self


ParamValue = str | int | float | bool


class SourceSettings(_Model):
    """`[[sources]]`: a database table or query, or files, read next to the data folder."""

    url: str = Field(description="duckdb:///file.duckdb (relative to the settings file; four slashes: absolute), "
                     "postgresql://user@host/db (the password from PGPASSWORD or ~/.pgpass), or a Parquet, JSON "
                     "Lines or CSV file path or glob.")
    table: str | None = Field(None, description="A table (schema.table allowed) whose rows are read.")
    query: str | None = Field(None, description="A SELECT whose rows are read; :name marks a parameter.")
    params: dict[str, ParamValue] = Field(default_factory=dict, description="Parameter name = value, bound to "
                                          "the query's :name (never written into its text).")
    name: str | None = Field(None, description="How messages name the source (default: the table, or the file).")

    @model_validator(mode="after")
    def _shape(self) -> SourceSettings:
        scheme = self.url.split("://", 1)[0].lower() if "://" in self.url else ""
        if scheme not in ("", "duckdb", "postgresql", "postgres"):
            raise ValueError(f"url: unknown scheme {scheme!r}; expected duckdb://, postgresql:// or a file path")
        if "://" in self.url and urlsplit(self.url).password is not None:
            raise ValueError("url: a password in the URL would be committed with the settings; give it in "
                             "PGPASSWORD or ~/.pgpass (libpq reads both) and leave it out of the URL")
        if scheme == "":
            if self.table is not None or self.query is not None:
                raise ValueError("a file source takes no table or query: its files are the rows")
            if not self.url.lower().endswith((".parquet", ".jsonl", ".ndjson", ".json", ".csv")):
                raise ValueError(f"url: {self.url[:80]!r} is no .parquet, .jsonl, .ndjson, .json or .csv file "
                                 "(or glob), and has no duckdb:// or postgresql:// scheme")
        elif (self.table is None) == (self.query is None):
            raise ValueError("set either table or query (one of them)")
        if self.table is not None:
            check_table_name(self.table)
        return self


class _Settings(_Model):
    privacy: Literal["none", "link", "password"] | None = Field(
        None, description="Who may read the reports: \"none\" (anyone with the site), \"link\" (a client's folder "
        "is an unguessable token), \"password\" (a token folder, and every page sealed with the client's password).")
    locale: str | None = None
    currency: str | None = None
    timezone: str | None = None
    sources: list[SourceSettings] = Field(default_factory=list, description="Tables, queries or files read "
                                          "next to the data folder (see Data from a warehouse).")
    fx: FxSettings | None = None
    targets: dict[str, float] = Field(default_factory=dict)
    columns: dict[str, str] = Field(default_factory=dict,
                                    description="Header as written in a file = canonical column name.")

    _locale = field_validator("locale")(classmethod(lambda cls, v: _check_locale(v)))
    _currency = field_validator("currency")(classmethod(lambda cls, v: check_currency(v)))
    _timezone = field_validator("timezone")(classmethod(lambda cls, v: _check_timezone(v)))

    @field_validator("targets")
    @classmethod
    def _targets(cls, v: dict[str, float]) -> dict[str, float]:
        _check_kpi_ids(v)
        return v

    @model_validator(mode="before")
    @classmethod
    def _no_password(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(k in data for k in ("password", "passwords", "secret")):
            raise ValueError("passwords and the secret never go in a settings file (it is committed, and may be "
                             "published): put them in the secrets file (.sitegen-secrets.toml, see `sitegen secret`) "
                             "or the environment (SITEGEN_SECRET, SITEGEN_PASSWORD_<CLIENT>)")
        return data

    @field_validator("columns")
    @classmethod
    def _columns(cls, v: dict[str, str]) -> dict[str, str]:
        known = sorted({c for kind in KINDS.values() for c in kind.columns} | {"currency", "video_link"})
        wrong = [f"{header!r} = {name!r}" for header, name in v.items() if name not in known]
        if wrong:
            raise ValueError(f"{', '.join(wrong)}: not a canonical column; known columns: {', '.join(known)}")
        return v


class SiteConfig(_Settings):
    title: str = "TikTok reports"
    base_url: str = ""
    theme: str = Field("default", description="A built-in theme's name, or a folder in the project's themes/.")
    theme_variables: dict[str, Any] = Field(default_factory=dict, description="Override the theme's [variables].")
    static_charts: bool = Field(False, description="Also draw every chart as an SVG file for readers without "
                                 "JavaScript (slow to draw, so cached).")
    sanitize_commentary: bool = Field(False, description="Clean the HTML of commentary and content/index.md with nh3: "
                                      "keep what markdown writes, drop scripts, styles, event handlers and "
                                      "javascript: links (for commentary written by people outside the team).")
    privacy: Literal["none", "link", "password"] = "none"
    locale: str = "en_US"
    currency: str = "USD"
    timezone: str = "UTC"
    comparison: Literal["previous", "previous_year", "none"] = "previous"
    branding: Branding = Branding()
    alerts: AlertThresholds = AlertThresholds()
    summary_kpis: list[str] = Field(default_factory=lambda: list(DEFAULT_SUMMARY_KPIS))
    sections: list[str] = Field(default_factory=lambda: list(SECTIONS))

    _theme = field_validator("theme")(classmethod(lambda cls, v: check_relative_path(v, up=False)))

    @field_validator("fx")
    @classmethod
    def _fx_base(cls, v: FxSettings | None) -> FxSettings | None:
        if v is not None and v.base is None:
            raise ValueError("set base, the currency the rates are quoted against (the clients' currencies may "
                             "differ)")
        return v

    @field_validator("summary_kpis")
    @classmethod
    def _summary(cls, v: list[str]) -> list[str]:
        _check_kpi_ids(v)
        return v

    @field_validator("sections")
    @classmethod
    def _sections(cls, v: list[str]) -> list[str]:
        return check_sections(v)


class FileDateSettings(_Model):
    """`[files."pattern"]`: dates the files a pattern matches do not write."""

    downloaded: date | None = Field(None, description="The download day: dates without a year end on it, and of "
                                    "two files reporting the same rows the later download counts.")
    start: date | None = Field(None, description="With end: the range a file without a date column covers.")
    end: date | None = None

    @model_validator(mode="after")
    def _range(self) -> FileDateSettings:
        if (self.start is None) != (self.end is None):
            raise ValueError("set both start and end (the range a file without dates covers), or neither")
        if self.start is not None and self.start > self.end:
            raise ValueError(f"start {self.start} is after end {self.end}")
        return self


class CreatorSettings(_Model):
    """`[creators."@handle"]`: what a collaboration with a creator cost."""

    fee: Annotated[float, Field(ge=0, allow_inf_nan=False)] | None = Field(
        None, description="The creator's fee for the collaboration in a report's period, in the client's currency.")


def _check_creators(creators: dict[str, CreatorSettings]) -> dict[str, CreatorSettings]:
    seen: dict[str, str] = {}
    for handle in creators:
        key = name_key(handle)
        if not key:
            raise ValueError(f"{handle!r} is no handle; expected e.g. \"@lena.outdoor\"")
        if key in seen:
            raise ValueError(f"{seen[key]!r} and {handle!r} are the same creator; keep one")
        seen[key] = handle
    return creators


class ClientConfig(_Settings):
    name: str | None = None
    slug: str | None = None
    logo: str | None = Field(None, description="Image path, relative to client.toml (as branding.logo).")
    branding: Branding = Branding()
    alerts: dict[str, float] = Field(default_factory=dict)
    files: dict[str, FileDateSettings] = Field(
        default_factory=dict, description="Pattern of files under data/ = the dates they do not write.")
    creators: dict[str, CreatorSettings] = Field(
        default_factory=dict, description="Handle = the creator's settings (fee), for the creators table.")
    source_params: dict[str, ParamValue] = Field(
        default_factory=dict, description="Parameter values for the site's sources (the client's :name).")

    _creators = field_validator("creators")(classmethod(lambda cls, v: _check_creators(v)))

    _logo = field_validator("logo")(classmethod(lambda cls, v: check_relative_path(v)))

    @field_validator("alerts")
    @classmethod
    def _alerts(cls, v: dict[str, float]) -> dict[str, float]:
        unknown = sorted(set(v) - set(AlertThresholds.model_fields))
        if unknown:
            known = ", ".join(AlertThresholds.model_fields)
            raise ValueError(f"unknown alert setting {', '.join(unknown)}; known: {known}")
        return v


def check_sections(sections: list[str]) -> list[str]:
    unknown = [s for s in sections if s not in SECTIONS]
    if unknown:
        raise ValueError(f"unknown section {', '.join(unknown)}; known sections: {', '.join(SECTIONS)}")
    return sections


def read_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise SitegenError(f"not UTF-8 text ({exc.reason})", path) from None
    except (RecursionError, ValueError) as exc:  # nesting too deep, an integer of thousands of digits
        if not isinstance(exc, tomllib.TOMLDecodeError):
            raise SitegenError(f"invalid TOML: {_one_line(str(exc))[:200]}", path) from None
        match = re.search(r"\(at line (\d+), column (\d+)\)", str(exc))
        message = re.sub(r"\s*\(at line \d+, column \d+\)", "", str(exc))
        row, col = (int(match[1]), int(match[2])) if match else (None, None)
        raise SitegenError(f"invalid TOML: {message}", path, row, col) from None


def _validate(model: type[_Model], data: dict[str, Any], path: Path, diagnostics: Diagnostics):
    try:
        parsed = model.model_validate(data)
    except ValidationError as exc:
        errors = []
        for err in exc.errors():
            key = _one_line(".".join(str(p) for p in err["loc"])) or "(top level)"
            message = _one_line(err["msg"].removeprefix("Value error, "))
            errors.append(SitegenError(f"{key}: {message}", path))
        raise_all(errors)
    _warn_unknown_keys(parsed, path, diagnostics)
    return parsed


def _one_line(text: str) -> str:
    """A key or value from the file as it reads on one line (a quoted key may hold a line break)."""
    return text.replace("\r", "\\r").replace("\n", "\\n")


def _warn_unknown_keys(model: BaseModel, path: Path, diagnostics: Diagnostics, prefix: str = "") -> None:
    for key in sorted(model.model_extra or {}):
        diagnostics.warn(f"unknown key {_one_line(prefix + str(key))} (ignored)", path)
    for name in type(model).model_fields:
        value = getattr(model, name)
        if isinstance(value, BaseModel):
            _warn_unknown_keys(value, path, diagnostics, f"{prefix}{name}.")
        elif isinstance(value, dict):
            for key, item in value.items():
                if isinstance(item, BaseModel):
                    _warn_unknown_keys(item, path, diagnostics, f"{prefix}{name}.{key}.")


def load_site_config(project: Path, diagnostics: Diagnostics) -> SiteConfig:
    path = project / SITE_FILE
    if not path.exists():
        return SiteConfig()
    return _validate(SiteConfig, read_toml(path), path, diagnostics)


def load_client_config(path: Path, diagnostics: Diagnostics) -> ClientConfig:
    if not path.exists():
        return ClientConfig()
    return _validate(ClientConfig, read_toml(path), path, diagnostics)
