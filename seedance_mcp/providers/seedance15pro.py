"""seedance1-5pro.com: Seedance 1.5 Pro (seed 003). TODO(helper): mappings + contract tests."""

from __future__ import annotations

from typing import Any

from ..models import TaskState, VideoRequest
from .base import Capabilities, PollAdvice, Provider, WireRequest


class Seedance15Pro(Provider):
    id = "seedance15pro"
    name = "seedance1-5pro.com"
    base_url = "https://seedance1-5pro.com/api"
    docs_url = "https://seedance1-5pro.com (API-Dokumentation)"
    key_env = "SEEDANCE15PRO_API_KEY"
    seed_file = "003_a850845d7aff9648.txt"
    caps = Capabilities(
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
