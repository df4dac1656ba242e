"""The sandbox's ASGI app: every provider mounted below `/<provider id>`, the video files
(and last-frame PNGs) below `/files/`, an index at `/`, and a recorder of every served request.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Mount, Route
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .apixo import ApixoSim
from .ark import BytePlusSim, VolcengineSim
from .clips import last_frame, video
from .common import AbortedResponse, ProviderSim
from .config import PROVIDER_IDS
from .fal import FalSim
from .media import VideoResponse
from .nanophoto import NanoPhotoSim
from .replicate import ReplicateSim
from .seedance2ai import Seedance2AISim
from .seedance15pro import Seedance15ProSim
from .seedanceapi import SeedanceApiSim
from .state import LAST_FRAME, SandboxState, ServedRequest
from .uploads import serve_upload

__all__ = ["SIMULATORS", "build_app"]

SIMULATORS: tuple[type[ProviderSim], ...] = (
    NanoPhotoSim,
    SeedanceApiSim,
    ApixoSim,
    Seedance15ProSim,
    Seedance2AISim,
    BytePlusSim,
    VolcengineSim,
    ReplicateSim,
    FalSim,
)
Endpoint = Callable[[Request], Awaitable[Response]]
DOWNLOAD_FAULTS = frozenset({"429", "503", "500", "reset", "truncate"})


def build_app(state: SandboxState) -> ASGIApp:
    routes: list[Route | Mount] = [
        Route("/", _index(state), methods=["GET"]),
        Route("/files/{name}", _download(state), methods=["GET"]),
        Route("/uploads/{upload_id}", serve_upload(state.uploads), methods=["GET"]),
    ]
    routes += [Mount(f"/{sim.id}", routes=sim(state).routes()) for sim in SIMULATORS]
    return _Recorder(Starlette(routes=routes), state)


def _index(state: SandboxState) -> Endpoint:
    async def index(request: Request) -> Response:
        return JSONResponse(
            {
                "sandbox": True,
                "note": "A simulator of the Seedance providers' documented APIs; nothing is rendered.",
                "base_urls": {pid: f"{state.root_url}/{pid}" for pid in PROVIDER_IDS},
            }
        )

    return index


def _download(state: SandboxState) -> Endpoint:
    async def download(request: Request) -> Response:
        name: str = request.path_params["name"]
        task = state.task_for_file(name)
        if task is None or state.observe(task) != "succeeded":
            return PlainTextResponse("Not Found", status_code=404)
        if name.endswith(".png"):
            # The last frame takes no download faults: they stay aimed at the video.
            if not task.extra.get(LAST_FRAME):
                return PlainTextResponse("Not Found", status_code=404)
            return Response(await last_frame(state, task), media_type="image/png")
        fault = state.take_fault(task.provider, "download", DOWNLOAD_FAULTS)
        clip = await video(state, task)
        total = len(clip) if state.config.clips else state.video_size
        match fault.kind if fault is not None else None:
            case None:
                return VideoResponse(clip, total)
            case "truncate":
                return VideoResponse(clip, total, cut_at=total // 2, on_cut=state.note_abort)
            case "reset":
                return AbortedResponse(VideoResponse(clip, total), state.note_abort)
            case "429":
                assert fault is not None
                headers = {"Retry-After": str(fault.retry_after)}
                return PlainTextResponse("Too Many Requests", status_code=429, headers=headers)
            case "503":
                return PlainTextResponse("Service Unavailable", status_code=503)
            case _:
                return PlainTextResponse("Internal Server Error", status_code=500)

    return download


class _Recorder:
    """Records (provider, method, path, status) for every HTTP request served."""

    def __init__(self, app: ASGIApp, state: SandboxState) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        recorded = False

        def note(status: int) -> None:
            nonlocal recorded
            if not recorded:
                recorded = True
                self.state.record(ServedRequest(self._provider(path), scope["method"], path, status))

        async def send_and_note(message: Message) -> None:
            if message["type"] == "http.response.start":
                note(int(message["status"]))  # before the client can see any of the answer
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            note(500)  # the app failed before it started an answer; the server sends a 500

    def _provider(self, path: str) -> str:
        parts = path.split("/")
        first = parts[1] if len(parts) > 1 else ""
        if first in PROVIDER_IDS:
            return first
        if first == "files" and len(parts) > 2:
            task = self.state.task_for_file(parts[2])
            return task.provider if task is not None else "files"
        return "sandbox"
