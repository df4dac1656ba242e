"""seedance2ai.io as documented (seed 004), below `/seedance2ai` (for base `.../api/v1`).

`POST /video/seedance` with an `Idempotency-Key` header, `GET /tasks/{id}`. Errors are
`{"error": {"code", "message"}}` with the documented codes (unauthorized, invalid_request,
insufficient_credits, rate_limited, idempotency_conflict, service_busy, not_found,
internal_error). Choices where the document is silent:
- the submit answer is the task object of the status answer (`id`, `status`, ...);
- running states are `queued`, then `processing`;
- a POST without `Idempotency-Key` is refused with 400 invalid_request;
- a field the document does not list is refused with 400 invalid_request;
- price: 6 credits per second at 720p, 12 at 1080p, twice that on the `pro` tier (a 5 s
  720p standard clip costs 30, as in the documented example).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .common import ProviderSim, Reject, choice, flag, iso_utc, prompt_text, url_list
from .images import image_routes, image_task_object, is_image_task
from .state import Task

__all__ = ["Seedance2AISim", "seedance2ai_price"]

MODES = ("text-to-video", "image-to-video", "media-to-video")
ASPECT_RATIOS = ("1:1", "21:9", "4:3", "3:4", "16:9", "9:16")
DURATIONS = tuple(str(s) for s in range(4, 16))
PROMPT_MIN, PROMPT_MAX = 3, 10_000
SEED_MIN, SEED_MAX = -1, 4_294_967_295
MEDIA_MAX = 12
FIELDS = frozenset(
    {
        "mode",
        "quality_tier",
        "channel",
        "prompt",
        "aspect_ratio",
        "duration",
        "resolution",
        "image_url",
        "end_image_url",
        "media_urls",
        "generate_audio",
        "fixed_lens",
        "seed",
    }
)
PER_SECOND = {"720p": 6, "1080p": 12}
BAD = "invalid_request"
# Only completed / failed are documented; queued and processing are the sandbox's choice.
STATUS = {"queued": "queued", "running": "processing", "succeeded": "completed", "failed": "failed"}


def seedance2ai_price(resolution: str, seconds: int, quality_tier: str) -> int:
    """The sandbox's own formula (seedance2ai.io publishes none)."""
    return PER_SECOND[resolution] * seconds * (2 if quality_tier == "pro" else 1)


class Seedance2AISim(ProviderSim):
    id = "seedance2ai"
    task_prefix = "sd2_"
    bad_request = BAD
    missing_key_code = "unauthorized"
    invalid_key_code = "unauthorized"
    fault_codes: ClassVar[Mapping[str, str]] = {
        "429": "rate_limited",
        "503": "service_busy",
        "500": "internal_error",
        "402": "insufficient_credits",
        "404": "not_found",
    }

    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        return {"error": {"code": code, "message": message, **extra}}

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/video/seedance", self.endpoint("submit", self.submit), methods=["POST"]),
            Route("/tasks/{task_id}", self.endpoint("status", self.status), methods=["GET"]),
            *image_routes(self),
        ]

    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        key = request.headers.get("idempotency-key", "").strip()
        if not key:
            raise Reject(
                400, BAD, "Idempotency-Key: missing; every POST needs a unique Idempotency-Key header"
            )
        body = await self.json_object(request)
        resolution, seconds, tier = _validate(body)
        fingerprint = json.dumps(body, sort_keys=True, separators=(",", ":"))
        earlier = self.state.idempotent_task(owner, key, fingerprint)
        if earlier == "conflict":
            raise Reject(409, "idempotency_conflict", "Idempotency-Key: reused with a different body")
        if earlier is not None:
            return JSONResponse(self._task_object(earlier))
        task = self.create(
            owner, body, seconds, seedance2ai_price(resolution, seconds, tier), idempotency=(key, fingerprint)
        )
        return JSONResponse(self._task_object(task))

    async def status(self, request: Request) -> Response:
        owner = self.authorize(request)
        task = self.lookup(request.path_params.get("task_id"), owner, BAD)
        return JSONResponse(self._task_object(task))

    def _task_object(self, task: Task) -> dict[str, Any]:
        if is_image_task(task):
            return image_task_object(self.state, task, STATUS)
        phase = self.state.observe(task)
        answer: dict[str, Any] = {
            "id": task.id,
            "status": STATUS[phase],
            "model": "seedance",
            "output": {"video_url": self.state.file_url(task)} if phase == "succeeded" else None,
            "credits_used": task.credits,
            "created_at": iso_utc(task.created_wall),
        }
        if phase == "failed":
            answer["error"] = {
                "code": task.fail_code or "generation_failed",
                "message": "Video generation failed (sandbox fault); the credits are refunded",
            }
        return answer


def _validate(body: Mapping[str, Any]) -> tuple[str, int, str]:
    """Check a submit body; returns (resolution, seconds, quality tier)."""
    unknown = sorted(set(body) - FIELDS)
    if unknown:
        raise Reject(400, BAD, f"{unknown[0]}: unsupported field; allowed: {', '.join(sorted(FIELDS))}")
    mode = choice(body.get("mode", "text-to-video"), "mode", MODES, BAD)
    tier = choice(body.get("quality_tier", "standard"), "quality_tier", ("standard", "pro"), BAD)
    channel = choice(body.get("channel", "standard"), "channel", ("standard", "real", "wild"), BAD)
    prompt_text(body.get("prompt"), "prompt", PROMPT_MIN, PROMPT_MAX, BAD)
    choice(body.get("aspect_ratio", "16:9"), "aspect_ratio", ASPECT_RATIOS, BAD)
    duration = choice(body.get("duration", "5"), "duration", DURATIONS, BAD)
    resolution = choice(body.get("resolution", "720p"), "resolution", tuple(PER_SECOND), BAD)
    for name in ("image_url", "end_image_url"):
        if body.get(name) is not None:
            url_list([body[name]], name, BAD, https_only=True)
    if mode == "image-to-video" and not body.get("image_url"):
        raise Reject(400, BAD, "image_url: missing; image-to-video needs a start frame URL")
    if body.get("end_image_url") and not body.get("image_url"):
        raise Reject(400, BAD, "end_image_url: given without image_url; an end frame needs a start frame")
    if body.get("media_urls") is not None:
        url_list(body["media_urls"], "media_urls", BAD, most=MEDIA_MAX, https_only=True)
    if mode == "media-to-video" and not body.get("media_urls"):
        raise Reject(400, BAD, f"media_urls: missing; media-to-video needs 1-{MEDIA_MAX} URLs")
    flag(body, "generate_audio", True, BAD)
    flag(body, "fixed_lens", False, BAD)
    seed = body.get("seed")
    if seed is not None:
        if isinstance(seed, bool) or not isinstance(seed, int) or not SEED_MIN <= seed <= SEED_MAX:
            raise Reject(400, BAD, f"seed: {seed!r}; allowed: an integer {SEED_MIN} to {SEED_MAX}")
        if channel == "real":
            raise Reject(400, BAD, "seed: not supported on channel 'real'; allowed channels: standard, wild")
    return resolution, int(duration), tier
