"""A loopback HTTP simulator of every provider's documented API.

    from seedance_mcp.sandbox import Sandbox, SandboxConfig, Fault

    with Sandbox(SandboxConfig(speed=0.01, faults=[Fault("429", "status", times=2)])) as sb:
        base = sb.base_url("nanophoto")   # replaces https://nanophoto.ai
        ...
        sb.tasks("nanophoto"), sb.requests, sb.balance

Each provider answers under its documented paths with its own answer shapes, error codes,
statuses, prices and render times (scaled by `speed`); the videos are a small real MP4
served from `/files/`, or with `SandboxConfig(clips=True)` a real clip made for each task (its
seconds, frame size, 24 fps, sound when asked, its own colour and frame counter: `clips.py`).
Nothing is sent to a model and nothing leaves the machine.
"""

from .config import FAULT_ENDPOINTS, FAULT_KINDS, PROVIDER_IDS, Fault, SandboxConfig
from .runner import Sandbox, run_forever
from .state import ServedRequest, TaskInfo

__all__ = [
    "FAULT_ENDPOINTS",
    "FAULT_KINDS",
    "PROVIDER_IDS",
    "Fault",
    "Sandbox",
    "SandboxConfig",
    "ServedRequest",
    "TaskInfo",
    "run_forever",
]
