"""APIXO as documented (seed 002 and its English page), below `/apixo` (for base `.../api/v1`).

`POST /generateTask/seedance-1-5-pro` with `{"request_type", "provider", "input": {...}}`,
`GET /statusTask/seedance-1-5-pro?taskId=`; answers `{"code", "message", "data"}`; states
pending / processing / success / failed; `resultJson` is a JSON *string*; times in Unix ms.
Errors carry only the envelope (`{"code": <http status>, "message", "data": null}`): the
document lists HTTP 400, 401 and 429 and no error codes. 10,000 requests per minute per key.
APIXO publishes no prices: the sandbox charges 2 credits per second at 480p, 4 at 720p, and
twice that with sound (the document says clips are "billed per second").
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .common import EnvelopeErrors, ProviderSim, Reject, choice, flag, prompt_text, url_list
from .state import Task

__all__ = ["ApixoSim", "apixo_price"]

MODEL = "seedance-1-5-pro"
MODES = ("text-to-video", "image-to-video")
ASPECT_RATIOS = ("1:1", "3:4", "4:3", "9:16", "16:9", "21:9")
PROMPT_MIN, PROMPT_MAX = 3, 2500
DURATION_MIN, DURATION_MAX = 4, 12
PER_SECOND = {"480p": 2, "720p": 4}


def apixo_price(resolution: str, seconds: int, sound: bool) -> int:
    """The sandbox's own formula (APIXO publishes none)."""
    return PER_SECOND[resolution] * seconds * (2 if sound else 1)


class ApixoSim(EnvelopeErrors, ProviderSim):
    id = "apixo"
    task_prefix = ""
    bad_request = "400"
    missing_key_code = "401"
    invalid_key_code = "401"
    rate_limit = (10_000, 60.0)

    def routes(self) -> list[BaseRoute]:
        return [
            Route(f"/generateTask/{MODEL}", self.endpoint("submit", self.submit), methods=["POST"]),
            Route(f"/statusTask/{MODEL}", self.endpoint("status", self.status), methods=["GET"]),
        ]

    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        body = await self.json_object(request)
        request_type = choice(body.get("request_type", "async"), "request_type", ("async", "callback"), "400")
        if request_type == "callback":
            url_list([body.get("callback_url")], "callback_url", "400")  # accepted; never called
        choice(body.get("provider", "auto"), "provider", ("auto", "value", "official"), "400")
        model_input = body.get("input")
        if not isinstance(model_input, dict):
            raise Reject(
                400, "400", f"input: {model_input!r}; allowed: an object with mode, prompt, duration, sound"
            )
        mode = choice(model_input.get("mode"), "input.mode", MODES, "400")
        prompt_text(model_input.get("prompt"), "input.prompt", PROMPT_MIN, PROMPT_MAX, "400")
        resolution = choice(
            model_input.get("resolution", "720p"), "input.resolution", tuple(PER_SECOND), "400"
        )
        duration = model_input.get("duration")
        if (
            isinstance(duration, bool)
            or not isinstance(duration, int)
            or not DURATION_MIN <= duration <= DURATION_MAX
        ):
            raise Reject(
                400, "400", f"input.duration: {duration!r}; allowed: an integer {DURATION_MIN}-{DURATION_MAX}"
            )
        sound = flag(model_input, "sound", False, "400", required=True)
        choice(model_input.get("aspect_ratio", "1:1"), "input.aspect_ratio", ASPECT_RATIOS, "400")
        flag(model_input, "fixed_lens", False, "400")
        images = model_input.get("image_urls")
        if mode == "image-to-video":
            if not images:
                raise Reject(400, "400", "input.image_urls: missing; image-to-video needs 1-2 image URLs")
            url_list(images, "input.image_urls", "400", most=2)
        elif images:
            raise Reject(
                400, "400", "input.image_urls: given with text-to-video; allowed only with image-to-video"
            )
        task = self.create(owner, body, duration, apixo_price(resolution, duration, sound))
        return JSONResponse({"code": 200, "message": "success", "data": {"taskId": task.id}})

    async def status(self, request: Request) -> Response:
        owner = self.authorize(request)
        task = self.lookup(request.query_params.get("taskId"), owner, "400")
        return JSONResponse({"code": 200, "message": "success", "data": self._data(task)})

    def _data(self, task: Task) -> dict[str, Any]:
        phase = self.state.observe(task)
        created_ms = round(task.created_wall * 1000)
        data: dict[str, Any] = {
            "taskId": task.id,
            "state": {"queued": "pending", "running": "processing", "succeeded": "success"}.get(
                phase, "failed"
            ),
            "createTime": created_ms,
        }
        if phase in ("succeeded", "failed"):
            cost_ms = round(task.render_seconds * 1000)
            data |= {"completeTime": created_ms + cost_ms, "costTime": cost_ms}
        if phase == "succeeded":
            data["resultJson"] = json.dumps({"resultUrls": [self.state.file_url(task)]})
        elif phase == "failed":
            data["failCode"] = task.fail_code or "GENERATION_FAILED"
            data["failMsg"] = "Video generation failed (sandbox fault)"
        return data
