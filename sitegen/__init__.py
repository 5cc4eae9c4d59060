"""sitegen: static report sites for TikTok marketing."""

__version__ = "0.1.0"
