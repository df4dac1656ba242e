"""NanoPhoto.AI as documented (seed 000), below `/nanophoto`.

`POST /api/seedance-1-5-pro/generate` and `POST /api/seedance-1-5-pro/check-status`; errors
`{"error", "errorCode", "requiredCredits"?}`; 100 requests per hour per key over both
endpoints; credits from the "API Users (2x Credits)" table; typical render 1-3 minutes.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .common import ProviderSim, Reject, choice, flag, published_price, url_list

__all__ = ["NanoPhotoSim"]

PROMPT_MAX = 1000
RENDER_RANGE = (60.0, 180.0)  # "Typical generation time: 1-3 minutes"


class NanoPhotoSim(ProviderSim):
    id = "nanophoto"
    task_prefix = "task_"
    bad_request = "INVALID_REQUEST"  # not in the document: used for malformed bodies and bad enums
    missing_key_code = "LOGIN_REQUIRED"
    invalid_key_code = "INVALID_API_KEY"
    rate_limit = (100, 3600.0)
    fault_codes: ClassVar[Mapping[str, str]] = {
        "429": "API_KEY_RATE_LIMIT_EXCEEDED",
        "503": "SERVICE_UNAVAILABLE",  # not in the document
        "500": "INTERNAL_ERROR",
        "402": "INSUFFICIENT_CREDITS",
        "404": "TASK_NOT_FOUND",
    }

    def error_body(self, status: int, code: str, message: str, extra: Mapping[str, Any]) -> dict[str, Any]:
        return {"error": message, "errorCode": code, **extra}

    def insufficient(self, required: int, available: int) -> Reject:
        return Reject(
            402, "INSUFFICIENT_CREDITS", "Insufficient credits", extra={"requiredCredits": required}
        )

    def render_range(self, duration: int) -> tuple[float, float]:
        return RENDER_RANGE

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/api/seedance-1-5-pro/generate", self.endpoint("submit", self.submit), methods=["POST"]),
            Route(
                "/api/seedance-1-5-pro/check-status", self.endpoint("status", self.status), methods=["POST"]
            ),
        ]

    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        body = await self.json_object(request)
        prompt = body.get("prompt")
        if not isinstance(prompt, str) or not prompt.strip():
            raise Reject(400, "PROMPT_REQUIRED", "prompt: missing or empty; allowed: 1-1000 characters")
        if len(prompt) > PROMPT_MAX:
            raise Reject(
                400,
                "PROMPT_LENGTH_INVALID",
                f"prompt: {len(prompt)} characters; allowed: at most {PROMPT_MAX}",
            )
        mode = choice(body.get("mode"), "mode", ("textToVideo", "imageToVideo"), self.bad_request)
        if mode == "imageToVideo":
            images = body.get("imageUrls")
            if images is None or images == []:
                raise Reject(400, "IMAGE_REQUIRED", "imageUrls: missing; imageToVideo mode requires images")
            url_list(images, "imageUrls", "IMAGE_URLS_REQUIRED")
        choice(body.get("aspectRatio"), "aspectRatio", ("portrait", "landscape"), self.bad_request)
        resolution = choice(body.get("resolution"), "resolution", ("480p", "720p", "1080p"), self.bad_request)
        duration = choice(body.get("duration"), "duration", ("4", "8", "12"), self.bad_request)
        audio = flag(body, "generateAudio", False, self.bad_request)
        flag(body, "fixedLens", False, self.bad_request)
        credits = published_price(self.id, resolution, int(duration), audio)
        task = self.create(owner, body, int(duration), credits)
        return JSONResponse({"status": "processing", "taskId": task.id, "creditsUsed": credits})

    async def status(self, request: Request) -> Response:
        owner = self.authorize(request)
        body = await self.json_object(request)
        task = self.lookup(body.get("taskId"), owner, "TASK_ID_REQUIRED")
        match self.state.observe(task):
            case "queued" | "running":
                return JSONResponse({"status": "processing", "taskId": task.id})
            case "succeeded":
                return JSONResponse(
                    {
                        "status": "completed",
                        "taskId": task.id,
                        "videoUrl": self.state.file_url(task),
                        "generationTime": round(task.render_seconds),
                    }
                )
            case "failed" | "cancelled" | "expired":  # NanoPhoto has no cancel and no expiry
                return JSONResponse(
                    {"status": "failed", "taskId": task.id, "error": "Video generation failed"}
                )
