"""The sandbox's knobs: `SandboxConfig` (timing, keys, balance, video size, clock) and `Fault`.

Both are plain frozen dataclasses, checked when built: a bad value raises `ValueError` naming
the field, the value and what is allowed.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from ..providers import PROVIDER_IDS

__all__ = ["FAULT_ENDPOINTS", "FAULT_KINDS", "PROVIDER_IDS", "Fault", "FaultKind", "FaultOn", "SandboxConfig"]

FaultKind = Literal["429", "503", "500", "reset", "truncate", "fail_render", "expire"]
FaultOn = Literal["submit", "status", "download"]
FAULT_KINDS: tuple[str, ...] = get_args(FaultKind)
FAULT_ENDPOINTS: tuple[str, ...] = get_args(FaultOn)


@dataclass(frozen=True)
class Fault:
    """One injected failure.

    `kind`: "429" (with `Retry-After: retry_after`), "503", "500", "reset" (the answer's head is
    sent, then the connection is dropped), "truncate" (download only: the full Content-Length,
    half the body), "fail_render" (submit only: the task it creates ends failed and is
    refunded; `code` overrides the provider's failure code where it has one) or "expire"
    (submit only, providers whose tasks expire (Ark): the task it creates stays queued until
    its expiry passes, then is expired and never billed; other providers never draw it).
    `on`: the endpoint type it hits. `times`: how many matching requests get it; or
    `probability`: each matching request gets it with that chance (seeded RNG, `times` unused).
    `provider`: only that provider's requests (None: every provider).
    """

    kind: FaultKind
    on: FaultOn
    times: int = 1
    probability: float | None = None
    provider: str | None = None
    retry_after: int = 1
    code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in FAULT_KINDS:
            raise ValueError(
                f"Fault.kind: {self.kind!r} is not a fault kind; allowed: {', '.join(FAULT_KINDS)}"
            )
        if self.on not in FAULT_ENDPOINTS:
            raise ValueError(
                f"Fault.on: {self.on!r} is not an endpoint type; allowed: {', '.join(FAULT_ENDPOINTS)}"
            )
        if self.kind == "truncate" and self.on != "download":
            raise ValueError(f"Fault.on: {self.on!r} with kind 'truncate'; allowed: download")
        if self.kind in ("fail_render", "expire") and self.on != "submit":
            raise ValueError(f"Fault.on: {self.on!r} with kind {self.kind!r}; allowed: submit")
        if isinstance(self.times, bool) or not isinstance(self.times, int) or self.times < 0:
            raise ValueError(f"Fault.times: {self.times!r}; allowed: a whole number >= 0")
        if self.probability is not None and not 0.0 <= self.probability <= 1.0:
            raise ValueError(f"Fault.probability: {self.probability!r}; allowed: None or 0.0 to 1.0")
        if self.provider is not None and self.provider not in PROVIDER_IDS:
            raise ValueError(f"Fault.provider: {self.provider!r}; allowed: None, {', '.join(PROVIDER_IDS)}")
        if (
            isinstance(self.retry_after, bool)
            or not isinstance(self.retry_after, int)
            or self.retry_after < 0
        ):
            raise ValueError(f"Fault.retry_after: {self.retry_after!r}; allowed: whole seconds >= 0")


@dataclass(frozen=True)
class SandboxConfig:
    """How the simulated providers behave.

    `speed` scales the provider's documented typical render time (1.0 = as documented, 0 =
    done at the first poll). `valid_keys` None accepts any non-empty Bearer key. `balance`
    None is unlimited, else one credit pool that every provider's submits draw from.
    `video_size` None serves the shipped sample MP4 as is, else a valid MP4 of exactly that
    many bytes (the sample plus a trailing `free` box), streamed. `clips` True serves each
    finished task a real clip made for it instead (`clips.py`: its seconds, documented frame
    size, 24 fps, a tone when audio was asked, its own colour and a frame counter; `video_size`
    is then unused). `state_path` None keeps the
    tasks in memory only, else in that SQLite file (see `store`), where a simulator started
    later, in this process or another, finds them.
    """

    speed: float = 1.0
    seed: int = 0
    faults: Sequence[Fault] = ()
    valid_keys: Collection[str] | None = None
    balance: int | None = None
    video_size: int | None = None
    clips: bool = False
    clock: Callable[[], float] = field(default=time.monotonic)
    state_path: Path | None = None

    def __post_init__(self) -> None:
        if isinstance(self.speed, bool) or not isinstance(self.speed, int | float) or self.speed < 0:
            raise ValueError(
                f"SandboxConfig.speed: {self.speed!r}; allowed: a number >= 0 (1.0 = documented)"
            )
        for fault in self.faults:
            if not isinstance(fault, Fault):
                raise ValueError(f"SandboxConfig.faults: {fault!r} is not a Fault")
        if self.balance is not None and (isinstance(self.balance, bool) or self.balance < 0):
            raise ValueError(f"SandboxConfig.balance: {self.balance!r}; allowed: None or credits >= 0")
        if self.video_size is not None and (isinstance(self.video_size, bool) or self.video_size <= 0):
            raise ValueError(f"SandboxConfig.video_size: {self.video_size!r}; allowed: None or bytes > 0")
        if not isinstance(self.clips, bool):
            raise ValueError(f"SandboxConfig.clips: {self.clips!r}; allowed: True or False")
        if self.state_path is not None:
            if not isinstance(self.state_path, Path) or not str(self.state_path).strip():
                raise ValueError(
                    f"SandboxConfig.state_path: {self.state_path!r}; "
                    "allowed: None or a pathlib.Path to a file"
                )
            if self.state_path.is_dir():
                raise ValueError(
                    f"SandboxConfig.state_path: {str(self.state_path)!r} is a folder; allowed: a file path"
                )
        if self.valid_keys is not None and any(not k for k in self.valid_keys):
            raise ValueError("SandboxConfig.valid_keys: an empty key; allowed: non-empty strings")
