"""APIXO: Seedance 1.5 Pro (seed 002). TODO(helper): mappings + contract tests."""

from __future__ import annotations

from typing import Any

from ..models import TaskState, VideoRequest
from .base import Capabilities, PollAdvice, Provider, WireRequest


class Apixo(Provider):
    id = "apixo"
    name = "APIXO"
    base_url = "https://api.apixo.ai/api/v1"
    docs_url = "https://apixo.ai (Seedance 1.5 Pro API docs)"
    key_env = "APIXO_API_KEY"
    seed_file = "002_2b67c0d7353dba7e.txt"
    caps = Capabilities(
        durations=tuple(range(4, 13)),
        default_duration=8,
        resolutions=("480p", "720p"),
        default_resolution="720p",
        aspect_ratios=("1:1", "3:4", "4:3", "9:16", "16:9", "21:9"),
        prompt_min=3,
        prompt_max=2500,
        start_image=True,
        end_image=True,
        seed=False,
        seed_range=None,
        audio=True,
        fixed_lens=True,
        idempotency=False,
        poll=PollAdvice(
            interval=5.0,
            initial_delay=50.0,
            render_seconds={4: (40.0, 60.0), 8: (60.0, 90.0), 12: (90.0, 120.0)},
            source="4 s ~40-60 s, 8 s ~60-90 s, 12 s ~90-120 s; submit, wait 50 s, then poll every 5 s",
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
