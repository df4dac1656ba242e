"""The job engine both front ends share: pre-flight, the job runner, and the `Service` facade."""

from __future__ import annotations

from .preflight import Clip, DryRun, Prepared, PriceList
from .progress import Progress, ProgressFn
from .service import Service

__all__ = ["Clip", "DryRun", "Prepared", "PriceList", "Progress", "ProgressFn", "Service"]
