"""seedance1-5pro.com: Seedance 1.5 Pro (seed 003).

Submit `POST /generate`, poll `GET /status?task_id=...` (the document also allows `POST /status`
with a JSON body; the GET form is used). Body: `prompt`, `aspect_ratio` (required, ignored by the
provider when `image_urls` is given), `duration` as the string "5" or "10", `sound`,
`image_urls`. No resolution and no fixed-lens option. Answers use the same
`{"code", "message", "data"}` wrapper as seedanceapi.org; errors are documented only as HTTP
statuses 401, 402, 429 and 500.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..models import VideoRequest
from .base import Capabilities, ModelSpec, PollAdvice, WireRequest
from .envelope import ERRORS, EnvelopeTaskProvider

# What the document says each HTTP error means (the body's shape is not documented).
ERROR_STATUSES: dict[int, str] = {
    401: "missing or invalid API key",
    402: "the credit balance could not cover the charge",
    429: "too many requests; reduce the polling frequency or request rate",
    500: "temporary problem; retry with exponential backoff",
}


class Seedance15Pro(EnvelopeTaskProvider):
    id = "seedance15pro"
    name = "seedance1-5pro.com"
    base_url = "https://seedance1-5pro.com/api"
    docs_url = "https://seedance1-5pro.com (API-Dokumentation)"
    key_env = "SEEDANCE15PRO_API_KEY"
    models = (
        ModelSpec(
            name="seedance-1.5-pro",
            caps=Capabilities(
                durations=(5, 10),
                default_duration=5,
                resolutions=(),
                default_resolution=None,
                aspect_ratios=("16:9", "9:16", "1:1"),
                prompt_min=1,
                prompt_max=1000,
                start_image=True,
                end_image=False,
                seed=False,
                seed_range=None,
                audio=True,
                fixed_lens=False,
                idempotency=False,
                poll=PollAdvice(
                    interval=5.0,
                    render_seconds={5: (40.0, 90.0), 10: (60.0, 120.0)},
                    source=(
                        "not documented; bracketed by APIXO's Seedance 1.5 Pro render times "
                        "(4 s ~40-60 s, 8 s ~60-90 s, 12 s ~90-120 s)"
                    ),
                ),
                notes=(
                    "Durations 5 s and 10 s only; no resolution choice, no fixed lens.",
                    "aspect_ratio is required but ignored by the provider when a start image is given.",
                    "Credits are taken when the task is created; failed jobs are refunded.",
                    "The duration default (5 s) is this client's choice: the provider requires one.",
                ),
            ),
        ),
    )
    errors = replace(ERRORS, status_texts=ERROR_STATUSES)

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        assert req.aspect_ratio is not None and req.duration is not None
        body: dict[str, Any] = {
            "prompt": req.prompt,
            "aspect_ratio": req.aspect_ratio,
            "duration": str(req.duration),
            "sound": req.audio,
        }
        if req.image_url:
            body["image_urls"] = [req.image_url]
        return WireRequest(method="POST", path="/generate", json=body)
