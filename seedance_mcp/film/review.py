"""The film's review page: one static `index.html` in the film folder that opens offline (no
script or style from elsewhere): the film, then each shot's prompt, clip, cost and warnings."""

from __future__ import annotations

from pathlib import Path

from .manifest import FilmManifest

__all__ = ["write_review_page"]


def write_review_page(manifest: FilmManifest, film_dir: Path) -> Path:
    """Write `film_dir/index.html` from `manifest` and return its path; links are relative and
    only to files that exist."""
    raise NotImplementedError
