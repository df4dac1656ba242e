"""seedanceapi.org: Seedance 1.5 (seed 001).

Submit `POST /generate`, poll `GET /status?task_id=...`. snake_case body; `duration` is a
string; `image_urls` takes at most one start frame. Answers come wrapped as
`{"code": 200, "message": "success", "data": {...}}`; a bare data object is accepted too,
and a wrapper whose `code` is not 200 is an error even under HTTP 200.

Reading the answers is shared with seedance1-5pro.com (`envelope.py`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..models import VideoRequest
from .base import Capabilities, ModelSpec, PollAdvice, WireRequest
from .envelope import ERRORS, EnvelopeTaskProvider

# The documented error codes: HTTP status and what the document says they mean.
ERROR_CODES: dict[str, tuple[int, str]] = {
    "INVALID_PROMPT": (400, "the prompt is invalid or empty"),
    "INVALID_ASPECT_RATIO": (400, "unsupported aspect ratio"),
    "INVALID_RESOLUTION": (400, "resolution must be 480p or 720p"),
    "INVALID_DURATION": (400, "duration must be 4, 8 or 12 seconds"),
    "TOO_MANY_IMAGES": (400, "image_urls allows at most 1 image"),
    "INVALID_API_KEY": (401, "the API key is missing or invalid"),
    "INSUFFICIENT_CREDITS": (402, "not enough credits"),
    "TASK_NOT_FOUND": (404, "task id not found or not owned by your account"),
    "INTERNAL_ERROR": (500, "server error, try again later"),
}


class SeedanceApi(EnvelopeTaskProvider):
    id = "seedanceapi"
    name = "seedanceapi.org"
    base_url = "https://seedanceapi.org/v1"
    docs_url = "https://seedanceapi.org (Seedance 1.5 API docs)"
    key_env = "SEEDANCEAPI_API_KEY"
    models = (
        ModelSpec(
            name="seedance-1.5-pro",
            caps=Capabilities(
                durations=(4, 8, 12),
                default_duration=8,
                resolutions=("480p", "720p"),
                default_resolution="720p",
                aspect_ratios=("16:9", "9:16", "1:1", "4:3", "3:4", "21:9", "9:21"),
                prompt_min=1,
                prompt_max=2000,
                start_image=True,
                end_image=False,
                seed=False,
                seed_range=None,
                audio=True,
                fixed_lens=True,
                idempotency=False,
                poll=PollAdvice(
                    interval=5.0,
                    render_seconds={4: (40.0, 60.0), 8: (60.0, 90.0), 12: (90.0, 120.0)},
                    source="not documented; Seedance 1.5 Pro render times as APIXO documents them",
                ),
                notes=(
                    "The only provider with 9:21; 480p and 720p only.",
                    "At most one start image; no end frame.",
                    "The document's default ratio is 1:1; the ratio is always sent explicitly.",
                    "Not documented: the failure status (FAILED assumed), the error body, polling advice.",
                ),
            ),
        ),
    )
    errors = replace(
        ERRORS,
        codes={code: status for code, (status, _) in ERROR_CODES.items()},
        code_texts={code: meaning for code, (_, meaning) in ERROR_CODES.items()},
    )

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        assert req.aspect_ratio is not None and req.resolution is not None and req.duration is not None
        body: dict[str, Any] = {"prompt": req.prompt}
        if req.image_url:
            body["image_urls"] = [req.image_url]
        body |= {
            "aspect_ratio": req.aspect_ratio,
            "resolution": req.resolution,
            "duration": str(req.duration),
            # Documented defaults, sent anyway: the request says what it wants.
            "generate_audio": req.audio,
            "fixed_lens": req.fixed_lens,
        }
        return WireRequest(method="POST", path="/generate", json=body)
