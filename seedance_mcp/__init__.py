"""seedance-mcp: draft, price, render and track Seedance videos across five provider APIs.

The public API is small: the canonical types, the error root and the service that the CLI
and the MCP server share. Importing this package does no work (no env reads, no I/O).
"""

from __future__ import annotations

from .errors import SeedanceError
from .models import CreditEstimate, Job, JobStatus, VideoRequest

__all__ = ["CreditEstimate", "Job", "JobStatus", "SeedanceError", "VideoRequest", "__version__"]

__version__ = "0.1.0"
