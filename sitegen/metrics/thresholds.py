"""The thresholds of the automatic highlights, as `sitegen.toml` and `client.toml` set them (`[alerts]`)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class AlertThresholds(BaseModel):
    """Alert thresholds (`[alerts]`); every one has a default and can be set per site or client."""

    model_config = ConfigDict(extra="allow", frozen=True)  # unknown keys are warnings (see project.settings)

    crisis_ratio: float = Field(0.05, gt=0, description="Negative comments per like that mark a crisis.")
    crisis_multiple: float = Field(3.0, gt=1, description="...or this many times the baseline ratio.")
    crisis_min_comments: int = Field(5, ge=1, description="Fewer negative comments are never a crisis.")
    spike_z: float = Field(5.0, gt=0, description="Robust z-score (median/MAD) that marks a spike.")
    spike_min_ratio: float = Field(2.0, ge=1, description="A spike is also at least this multiple of the median.")
    baseline_days: int = Field(28, ge=7, description="Days before a day that form its baseline.")
    large_change: float = Field(0.5, gt=0, description="Relative change vs. comparison worth a highlight.")
    viral_fraction: float = Field(0.25, gt=0, lt=1,
                                  description="Conversions per 1k likes below this share of the norm.")
