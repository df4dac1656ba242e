"""`seedance`, the command line: the only code in the project that prints."""

from __future__ import annotations

from .app import main, run

__all__ = ["main", "run"]
