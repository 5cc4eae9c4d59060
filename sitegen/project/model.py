"""What a project is made of: its site settings, its clients (each with settings, a data folder and reports)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from sitegen.data.fx import ExchangeRates
from sitegen.data.options import FileDates, LoadOptions
from sitegen.data.sources import SourceSpec
from sitegen.metrics.thresholds import AlertThresholds
from sitegen.project.frontmatter import Commentary
from sitegen.project.privacy import Privacy, Sealing
from sitegen.project.settings import Branding, SiteConfig

CONTENT = "content"
DATA = "data"
BRAND_FILES = {"logo": "logo", "favicon": "favicon", "font_file": "font"}  # setting -> name in the output


def slugify(text: str) -> str:
    """Lower-case ASCII letters, digits and single hyphens: can never leave its folder."""
    ascii_text = unicodedata.normalize("NFKD", text.replace("ß", "ss")).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")[:80].strip("-")


@dataclass(frozen=True)
class Client:
    slug: str
    name: str
    folder: Path
    locale: str
    currency: str
    timezone: str
    targets: dict[str, float]
    alerts: AlertThresholds
    branding: Branding
    brand_files: dict[str, Path]  # logo, favicon, font_file set in client.toml
    reports: tuple[Commentary, ...]
    columns: dict[str, str]  # [columns] of the site and the client: header -> canonical column
    currency_set: bool  # client.toml names the currency (else a single currency in the data wins)
    files: dict[str, FileDates] = field(default_factory=dict)  # [files."pattern"]: dates files do not write
    fx: ExchangeRates | None = None  # [fx] of the client, else of the site
    creator_fees: dict[str, float] = field(default_factory=dict)  # [creators."@handle"] fee, by handle
    published: dict | None = None  # the record of its pages in the output the build replaces (render.published)
    sources: tuple[SourceSpec, ...] = ()  # [[sources]] of the client and the site, as this client reads them
    privacy: Privacy = "none"  # who may read its reports (project.private_clients)
    token: str = ""  # a private client's folder in the output, in place of its slug
    sealing: Sealing | None = None  # with privacy "password": what its pages are sealed with

    @property
    def data_dir(self) -> Path:
        return self.folder / DATA

    @property
    def load_options(self) -> LoadOptions:
        return LoadOptions(dict(self.columns), self.timezone, dict(self.files), self.locale, self.currency,
                           self.currency_set, self.fx, self.sources)

    @property
    def site_dir(self) -> str:
        """The client's folder in the output."""
        return self.token or self.slug

    def report_dir(self, slug: str) -> str:
        """A report's folder in the client's: its slug, or with a password a name that says nothing."""
        return self.sealing.report_dir(slug) if self.sealing is not None else slug

    @property
    def private(self) -> bool:
        return self.privacy != "none"

    @property
    def logo(self) -> Path | None:
        return self.brand_files.get("logo")


@dataclass(frozen=True)
class Project:
    root: Path
    site: SiteConfig
    clients: tuple[Client, ...]
    index_md: Path | None
    brand_files: dict[str, Path]  # logo, favicon, font_file set in sitegen.toml
    split: bool = False  # one self-contained site per client (`build --split`): output/<client>/ is its root
    private: bool = False  # some client of the project is private (built or not: see build --client)
    today: str = ""  # the build's date, ISO (render.published.publish_date): the date of a change found now

    @property
    def named_files(self) -> frozenset[Path]:
        """The files the settings name (logos, fonts, a rates file): inputs that may lie outside content/ and
        themes/."""
        rates = self.site.fx.file if self.site.fx is not None else None
        return frozenset({*self.brand_files.values(), *(f for c in self.clients for f in c.brand_files.values()),
                          *([self.root / rates] if rates else [])})

    def client_root(self, client: Client) -> str:
        """The folder of the output that a client's pages treat as the site root."""
        return f"{client.site_dir}/" if self.split else ""


def report_slug(report: Commentary) -> str:
    return slugify(report.slug or report.path.stem)
