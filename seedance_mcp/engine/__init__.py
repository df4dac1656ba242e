"""The job engine both front ends share: pre-flight, the job runner and the `Service` facade."""

from __future__ import annotations

from .service import DryRun, Progress, ProgressFn, Service

__all__ = ["DryRun", "Progress", "ProgressFn", "Service"]
