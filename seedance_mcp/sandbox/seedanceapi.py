"""seedanceapi.org as documented (seed 001), below `/seedanceapi` (for base `.../v1`).

`POST /generate`, `GET /status?task_id=`; answers `{"code": 200, "message": "success",
"data": {...}}`; statuses IN_PROGRESS / SUCCESS / FAILED. The error body is not documented:
the sandbox answers `{"code": <http status>, "message", "error": {"code", "message"}}` with
the documented codes (INVALID_PROMPT, ..., TASK_NOT_FOUND).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import urlsplit

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .common import ProviderSim, Reject, choice, flag, iso_utc, prompt_text, published_price, url_list
from .state import Task

__all__ = ["SeedanceApiSim"]

PROMPT_MAX = 2000
ASPECT_RATIOS = ("1:1", "16:9", "9:16", "4:3", "3:4", "21:9", "9:21")


class SeedanceApiSim(ProviderSim):
    id = "seedanceapi"
    task_prefix = "seed15"
    bad_request = "INVALID_REQUEST"  # not in the document
    missing_key_code = "INVALID_API_KEY"
    invalid_key_code = "INVALID_API_KEY"
    fault_codes: ClassVar[Mapping[str, str]] = {
        "429": "RATE_LIMITED",  # not in the document
        "503": "SERVICE_UNAVAILABLE",  # not in the document
        "500": "INTERNAL_ERROR",
        "402": "INSUFFICIENT_CREDITS",
        "404": "TASK_NOT_FOUND",
    }

    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        return {"code": status, "message": message, "error": {"code": code, "message": message, **extra}}

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/generate", self.endpoint("submit", self.submit), methods=["POST"]),
            Route("/status", self.endpoint("status", self.status), methods=["GET"]),
        ]

    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        body = await self.json_object(request)
        prompt = prompt_text(body.get("prompt"), "prompt", 1, PROMPT_MAX, "INVALID_PROMPT")
        aspect = choice(
            body.get("aspect_ratio", "1:1"), "aspect_ratio", ASPECT_RATIOS, "INVALID_ASPECT_RATIO"
        )
        resolution = choice(
            body.get("resolution", "720p"), "resolution", ("480p", "720p"), "INVALID_RESOLUTION"
        )
        duration = choice(body.get("duration", "8"), "duration", ("4", "8", "12"), "INVALID_DURATION")
        audio = flag(body, "generate_audio", False, self.bad_request)
        fixed = flag(body, "fixed_lens", False, self.bad_request)
        request_view: dict[str, Any] = {
            "prompt": prompt,
            "aspect_ratio": aspect,
            "resolution": resolution,
            "duration": duration,
            "generate_audio": audio,
            "fixed_lens": fixed,
        }
        if body.get("image_urls") is not None:
            images = url_list(body["image_urls"], "image_urls", self.bad_request)
            if len(images) > 1:
                raise Reject(400, "TOO_MANY_IMAGES", f"image_urls: {len(images)} images; allowed: at most 1")
            request_view["image_urls"] = images
        callback = body.get("callback_url")
        if callback is not None:
            _check_callback(callback, self.bad_request)
            request_view["callback_url"] = callback  # accepted; the sandbox never calls out
        credits = published_price(self.id, resolution, int(duration), audio)
        task = self.create(owner, body, int(duration), credits, extra={"request": request_view})
        return JSONResponse(
            {"code": 200, "message": "success", "data": {"task_id": task.id, "status": "IN_PROGRESS"}}
        )

    async def status(self, request: Request) -> Response:
        owner = self.authorize(request)
        task = self.lookup(request.query_params.get("task_id"), owner, self.bad_request)
        return JSONResponse({"code": 200, "message": "success", "data": self._data(task)})

    def _data(self, task: Task) -> dict[str, Any]:
        phase = self.state.observe(task)
        status = {"succeeded": "SUCCESS", "failed": "FAILED"}.get(phase, "IN_PROGRESS")
        return {
            "task_id": task.id,
            "status": status,
            "consumed_credits": task.credits,
            "created_at": iso_utc(task.created_wall),
            "request": task.extra["request"],
            "response": [self.state.file_url(task)] if phase == "succeeded" else [],
            "error_message": "Video generation failed" if phase == "failed" else None,
        }


def _check_callback(value: Any, code: str) -> None:
    try:
        host = (urlsplit(value).hostname or "") if isinstance(value, str) else ""
    except ValueError:
        host = ""
    if not isinstance(value, str) or not value.startswith(("http://", "https://")) or not host:
        raise Reject(400, code, f"callback_url: {value!r}; allowed: a public http(s) URL")
    if _is_local(host):
        raise Reject(
            400, code, f"callback_url: {value!r}; allowed: a public URL (localhost is not supported)"
        )


def _is_local(host: str) -> bool:
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_loopback or address.is_unspecified or address.is_private
