"""The film's review page: one static `index.html` in the film folder that opens offline (no
script, font or style from elsewhere): the film, the contact sheet, then each shot's prompt,
clip, cost and warnings, and a link to film.json.

The page is rendered from `templates/review.html.j2` with autoescaping on (a prompt is the
user's text, shown as text) and `StrictUndefined`. Every link is relative to the film folder
and only to a file that exists now; a shot without a clip says so instead.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from .manifest import FilmManifest, ShotRecord

__all__ = ["REVIEW_PAGE", "write_review_page"]

REVIEW_PAGE = "index.html"
MANIFEST = "film.json"
TEMPLATE = "review.html.j2"


@dataclass(frozen=True)
class _Shot:
    record: ShotRecord
    href: str | None


def write_review_page(manifest: FilmManifest, film_dir: Path) -> Path:
    """Write `film_dir/index.html` from `manifest` and return its path; links are relative and
    only to files that exist."""
    import jinja2  # here, not at the top: only writing the page needs the engine

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("seedance_mcp.film", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )
    page = env.get_template(TEMPLATE).render(
        film=manifest,
        film_href=_href(manifest.film_file, film_dir),
        sheet_href=_href(manifest.contact_sheet, film_dir),
        manifest_href=_href(MANIFEST, film_dir),
        cost=", ".join(str(money) for money in manifest.total_cost),
        shots=[_Shot(shot, _href(shot.clip, film_dir)) for shot in manifest.shots],
    )
    film_dir.mkdir(parents=True, exist_ok=True)
    out = film_dir / REVIEW_PAGE
    out.write_text(page, encoding="utf-8")
    return out


def _href(name: str | None, film_dir: Path) -> str | None:
    """A link from the page to `name` (relative to the film folder, or absolute), or None when
    no such file exists."""
    if not name:
        return None
    path = Path(name) if Path(name).is_absolute() else film_dir / name
    if not path.is_file():
        return None
    relative = os.path.relpath(path.resolve(), film_dir.resolve())
    return quote(Path(relative).as_posix())
