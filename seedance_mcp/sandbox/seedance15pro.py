"""seedance1-5pro.com as documented (seed 003), below `/seedance15pro` (for base `.../api`).

`POST /generate`; `GET /status?task_id=` or `POST /status` with `{"task_id"}`; answers
`{"code": 200, "message": "success", "data": {...}}`; statuses IN_PROGRESS / SUCCESS /
FAILED; `consumed_credits` is 0 once refunded. Credits from the "Kreditverbrauch" table.
The error body is not documented: the sandbox answers `{"code": <http status>, "message",
"data": null}`, like the success envelope.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

from .common import (
    EnvelopeErrors,
    ProviderSim,
    choice,
    flag,
    iso_utc,
    prompt_text,
    published_price,
    url_list,
)
from .state import Task

__all__ = ["Seedance15ProSim"]

PROMPT_MAX = 1000
ASPECT_RATIOS = ("16:9", "9:16", "1:1")
_DOCUMENTED = ("prompt", "aspect_ratio", "duration", "sound", "image_urls")


class Seedance15ProSim(EnvelopeErrors, ProviderSim):
    id = "seedance15pro"
    task_prefix = "sd15p_"
    bad_request = "400"
    missing_key_code = "401"
    invalid_key_code = "401"

    def routes(self) -> list[BaseRoute]:
        status = self.endpoint("status", self.status)
        return [
            Route("/generate", self.endpoint("submit", self.submit), methods=["POST"]),
            Route("/status", status, methods=["GET", "POST"]),
        ]

    async def submit(self, request: Request) -> Response:
        owner = self.authorize(request)
        body = await self.json_object(request)
        prompt_text(body.get("prompt"), "prompt", 1, PROMPT_MAX, "400")
        images = body.get("image_urls")
        if images is not None:
            images = url_list(images, "image_urls", "400")
        if not images:  # "ignored when image_urls is given"
            choice(body.get("aspect_ratio"), "aspect_ratio", ASPECT_RATIOS, "400")
        duration = choice(body.get("duration"), "duration", ("5", "10"), "400")
        sound = flag(body, "sound", False, "400")
        credits = published_price(self.id, None, int(duration), sound)
        task = self.create(owner, body, int(duration), credits)
        return JSONResponse({"code": 200, "message": "success", "data": {"task_id": task.id}})

    async def status(self, request: Request) -> Response:
        owner = self.authorize(request)
        if request.method == "POST":
            task_id = (await self.json_object(request)).get("task_id")
        else:
            task_id = request.query_params.get("task_id")
        task = self.lookup(task_id, owner, "400")
        return JSONResponse({"code": 200, "message": "success", "data": self._data(task)})

    def _data(self, task: Task) -> dict[str, Any]:
        phase = self.state.observe(task)
        return {
            "task_id": task.id,
            "status": {"succeeded": "SUCCESS", "failed": "FAILED"}.get(phase, "IN_PROGRESS"),
            "request": {k: task.body[k] for k in _DOCUMENTED if k in task.body},
            "response": [self.state.file_url(task)] if phase == "succeeded" else [],
            "consumed_credits": task.credits,
            "error_message": "Video generation failed" if phase == "failed" else None,
            "created_at": iso_utc(task.created_wall),
        }
