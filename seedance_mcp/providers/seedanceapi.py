"""seedanceapi.org: Seedance 1.5 (seed 001). TODO(helper): mappings + contract tests."""

from __future__ import annotations

from typing import Any

from ..models import TaskState, VideoRequest
from .base import Capabilities, PollAdvice, Provider, WireRequest


class SeedanceApi(Provider):
    id = "seedanceapi"
    name = "seedanceapi.org"
    base_url = "https://seedanceapi.org/v1"
    docs_url = "https://seedanceapi.org (Seedance 1.5 API docs)"
    key_env = "SEEDANCEAPI_API_KEY"
    seed_file = "001_11cb4f37b314b646.txt"
    caps = Capabilities(
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
    )

    def build_submit(self, req: VideoRequest, idempotency_key: str) -> WireRequest:
        raise NotImplementedError

    def parse_submit(self, status_code: int, body: Any) -> str:
        raise NotImplementedError

    def build_status(self, task_id: str) -> WireRequest:
        raise NotImplementedError

    def parse_status(self, status_code: int, body: Any) -> TaskState:
        raise NotImplementedError
