"""seedance2ai.io: Seedance video API (seed 004). TODO(helper): mappings + contract tests."""

from __future__ import annotations

from typing import Any

from ..models import TaskState, VideoRequest
from .base import Capabilities, PollAdvice, Provider, WireRequest


class Seedance2AI(Provider):
    id = "seedance2ai"
    name = "seedance2ai.io"
    base_url = "https://seedance2ai.io/api/v1"
    docs_url = "https://seedance2ai.io (API docs)"
    key_env = "SEEDANCE2AI_API_KEY"
    seed_file = "004_607af6b97010e798.txt"
    caps = Capabilities(
        durations=tuple(range(4, 16)),
        default_duration=5,
        resolutions=("720p", "1080p"),
        default_resolution="720p",
        aspect_ratios=("1:1", "21:9", "4:3", "3:4", "16:9", "9:16"),
        prompt_min=3,
        prompt_max=10000,
        start_image=True,
        end_image=True,
        seed=True,
        seed_range=(-1, 4294967295),
        audio=True,
        fixed_lens=True,
        idempotency=True,
        poll=PollAdvice(
            interval=5.0,
            render_seconds={5: (40.0, 90.0), 10: (60.0, 120.0), 15: (90.0, 150.0)},
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
