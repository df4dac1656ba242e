"""Status requests per job and notice delay: the provider-aware schedule vs a plain 5 s loop.

The schedule is a pure function (`PollSchedule.next_poll_at`), so the comparison is computed
on a simulated clock: for every provider and every documented clip length, render times are
drawn from the documented range and both pollers are run against them. The project's poller
is driven exactly as `Service._wait` drives it (first poll at `next_poll_at(elapsed, 0)`,
then `next_poll_at(now, polls)` after each poll); the plain loop is the one in the
providers' own example code (sleep 5 s, ask, repeat). Requests and delays assume zero
network latency for both.

Render times are drawn uniformly from the documented (low, high) range: the documents give
a range and nothing about its shape, the uniform is the least-assuming distribution on an
interval, and it is what the sandbox draws. A triangular draw (mode in the middle) is shown
as a sensitivity check.

A real check then runs a few jobs per provider through `Service` and the loopback sandbox
(speed 0.05: the schedule and the render times scaled alike) and compares the status
requests the sandbox served for each job with what the simulation predicts for that job's
render time.

    python benchmarks/polling_cost.py [--quick]
"""

from __future__ import annotations

import math
import random
import statistics
import tempfile
from dataclasses import dataclass
from pathlib import Path

import anyio
from common import Figure, cli, say

from seedance_mcp.engine import Service
from seedance_mcp.models import VideoRequest
from seedance_mcp.polling import PollSchedule
from seedance_mcp.providers import PROVIDERS, Provider
from seedance_mcp.sandbox import Sandbox, SandboxConfig
from seedance_mcp.server.progress import DEFAULT_WAIT_SECONDS, MAX_WAIT_SECONDS
from seedance_mcp.settings import Settings
from seedance_mcp.validation import resolve_request

PLAIN_INTERVAL = 5.0  # the providers' example loops: `setTimeout(5000)` before every check
REQUEST_SHARE_TARGET = 0.40
SEED = 20240601
REAL_SPEED = 0.05


@dataclass(frozen=True)
class Run:
    polls: int
    delay: float  # seconds from the render finishing to the poll that saw it


def project_times(schedule: PollSchedule, render: float) -> list[float]:
    """When the project's poller asks, as `Service._wait` drives it with instant requests:
    seconds since submit of every status request, the last one seeing the render done."""
    times = [schedule.next_poll_at(0.0, 0)]
    while times[-1] < render:
        times.append(schedule.next_poll_at(times[-1], len(times)))
    return times


def project_run(schedule: PollSchedule, render: float) -> Run:
    times = project_times(schedule, render)
    return Run(len(times), times[-1] - render)


def floor_schedule(provider: Provider, duration: int) -> PollSchedule:
    """The cheapest schedule whose notice delay is no worse than the plain loop's: first poll
    at the documented lower bound, then every 5 s (what-if; not the project's schedule)."""
    low, high = provider.caps.poll.typical(duration)
    return PollSchedule(
        initial_delay=low, interval=PLAIN_INTERVAL, expected_low=low, expected_high=high, tail_interval=30.0
    )


def plain_run(render: float, interval: float = PLAIN_INTERVAL) -> Run:
    """The example loop: wait `interval`, ask, repeat."""
    polls = max(1, math.ceil(render / interval))
    return Run(polls, polls * interval - render)


def mcp_run(schedule: PollSchedule, render: float, gap: float = 0.0) -> Run:
    """The MCP tool flow: `generate_video` waits 45 s, then `check_status(wait_seconds=50)` is
    called again and again (`gap` seconds after the last answer). As `Service.status` does, a
    check_status polls at once only when the schedule's first poll is due (before that it
    waits for it), then follows the schedule."""
    polls = 0
    start, deadline, done = 0.0, DEFAULT_WAIT_SECONDS, 0
    while True:
        at = schedule.next_poll_at(start, done)
        while at <= deadline:
            polls += 1
            done += 1
            if at >= render:
                return Run(polls, at - render)
            at = schedule.next_poll_at(at, done)
        start = deadline + gap  # the agent calls check_status
        if start >= schedule.initial_delay:  # a render could be done: one poll straight away
            polls += 1
            if start >= render:
                return Run(polls, start - render)
            done = max(done, 1)
        deadline = start + MAX_WAIT_SECONDS


@dataclass(frozen=True)
class Row:
    provider: str
    duration: int
    low: float
    high: float
    ours: float  # mean status requests per job
    plain: float
    ours_p95: float
    plain_p95: float
    ours_median_delay: float
    plain_median_delay: float
    mcp: float
    triangular_share: float
    floor: float  # mean requests of `floor_schedule`

    @property
    def share(self) -> float:
        return self.ours / self.plain


def p95(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[94]


def simulate(provider: Provider, duration: int, jobs: int) -> Row:
    low, high = provider.caps.poll.typical(duration)
    schedule = PollSchedule.for_job(provider, duration)
    rng = random.Random(f"{SEED}/{provider.id}/{duration}")
    renders = [rng.uniform(low, high) for _ in range(jobs)]
    ours = [project_run(schedule, r) for r in renders]
    plain = [plain_run(r) for r in renders]
    mcp = [mcp_run(schedule, r) for r in renders]
    tri = [rng.triangular(low, high) for _ in range(jobs)]
    floor = floor_schedule(provider, duration)
    tri_share = sum(project_run(schedule, r).polls for r in tri) / sum(plain_run(r).polls for r in tri)
    return Row(
        provider=provider.id,
        duration=duration,
        low=low,
        high=high,
        ours=statistics.fmean(x.polls for x in ours),
        plain=statistics.fmean(x.polls for x in plain),
        ours_p95=p95([x.delay for x in ours]),
        plain_p95=p95([x.delay for x in plain]),
        ours_median_delay=statistics.median(x.delay for x in ours),
        plain_median_delay=statistics.median(x.delay for x in plain),
        mcp=statistics.fmean(x.polls for x in mcp),
        triangular_share=tri_share,
        floor=statistics.fmean(project_run(floor, r).polls for r in renders),
    )


# ---- the real code path -------------------------------------------------------------------


@dataclass(frozen=True)
class RealJob:
    provider: str
    render: float  # unscaled seconds, from the ledger's submit time to the render's end
    served: int
    simulated: int
    margin: float  # unscaled seconds between the render's end and the nearest simulated poll


async def _real_jobs(per_provider: int) -> list[RealJob]:
    out: list[RealJob] = []
    served = _Served()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            "SEEDANCE_SANDBOX": "1",
            "SEEDANCE_SANDBOX_SPEED": str(REAL_SPEED),
            "SEEDANCE_HOME": tmp,
            "SEEDANCE_OUTPUT_DIR": str(Path(tmp) / "videos"),
        }
        service = Service(Settings.from_env(env), sandbox_config=SandboxConfig(speed=REAL_SPEED, seed=SEED))
        try:

            async def one_provider(provider: Provider) -> None:
                # One job at a time per provider, so each status request belongs to one job.
                for n in range(per_provider):
                    request = VideoRequest(prompt=f"benchmark clip {n}: a fox crossing a snowy road")
                    job = await service.generate(request, provider=provider.id, download=False)
                    if job.status.value != "succeeded" or job.provider_task_id is None:
                        raise RuntimeError(f"{provider.id}: the sandbox job ended {job.status.value}")
                    assert job.request.duration is not None
                    sandbox = service.sandbox  # the simulator the service started (read only)
                    assert sandbox is not None
                    # TaskInfo does not carry the drawn render time; read it from the state.
                    task = sandbox._require_state()._tasks[job.provider_task_id]
                    count = served.status_requests(sandbox, provider)
                    # The poller's clock starts when the job is recorded, just before the
                    # submit leaves; the sandbox's when the submit arrives.
                    render = task.created_wall - job.created_at.timestamp() + task.render_seconds
                    schedule = PollSchedule.for_job(provider, job.request.duration, scale=REAL_SPEED)
                    times = project_times(schedule, render)
                    margin = min(abs(t - render) for t in times) / REAL_SPEED
                    out.append(RealJob(provider.id, render / REAL_SPEED, count, len(times), margin))

            async with anyio.create_task_group() as group:
                for provider in PROVIDERS.values():
                    group.start_soon(one_provider, provider)
        finally:
            service.close()
    return out


class _Served:
    """Attributes the sandbox's served requests to jobs: a provider's jobs run one after
    another, so the status requests since its previous job belong to the job just finished."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def status_requests(self, sandbox: Sandbox, provider: Provider) -> int:
        mine = [r for r in sandbox.requests if r.provider == provider.id]
        new = mine[self._seen.get(provider.id, 0) :]
        self._seen[provider.id] = len(mine)
        submit = f"/{provider.id}" + provider.build_submit(_sample_request(provider), "key").path
        submits = sum(1 for r in new if r.method == "POST" and r.path == submit)
        if submits != 1:
            raise RuntimeError(f"{provider.id}: expected one submit since the last job, saw {submits}")
        return sum(1 for r in new if r.path != submit and not r.path.startswith("/files/"))


def _sample_request(provider: Provider) -> VideoRequest:
    return resolve_request(VideoRequest(prompt="x" * max(provider.caps.prompt_min, 1)), provider)


# ---- report ---------------------------------------------------------------------------------


def figures(quick: bool) -> list[Figure]:
    jobs = 4_000 if quick else 40_000
    rows = [simulate(p, d, jobs) for p in PROVIDERS.values() for d in sorted(p.caps.poll.render_seconds)]
    say(
        f"simulated: {jobs} jobs per provider and documented clip length, render time uniform in the "
        "documented range; mean status requests per job; delay = render done -> poll that sees it"
    )
    say(
        f"  {'provider':<14}{'clip':>5}{'render s':>10}{'ours':>7}{'plain':>7}{'share':>7}"
        f"{'tri':>6}{'floor':>7}{'p95 delay ours/plain':>22}{'median delay':>15}{'MCP flow':>10}"
    )
    for r in rows:
        say(
            f"  {r.provider:<14}{r.duration:>4}s{r.low:>5.0f}-{r.high:<4.0f}{r.ours:>7.2f}{r.plain:>7.2f}"
            f"{r.share:>7.0%}{r.triangular_share:>6.0%}{r.floor / r.plain:>7.0%}"
            f"{r.ours_p95:>12.2f} / {r.plain_p95:<7.2f}"
            f"{r.ours_median_delay:>7.2f} / {r.plain_median_delay:<5.2f}{r.mcp:>8.2f}"
        )
    say(
        "  share = ours / plain; tri = share with triangular render times; floor = share of the cheapest "
        "schedule whose delay matches the plain loop's (first poll at the documented low, then every 5 s); "
        "MCP flow = mean requests when "
        f"generate_video waits {DEFAULT_WAIT_SECONDS:.0f} s and check_status(wait_seconds="
        f"{MAX_WAIT_SECONDS:.0f}) follows at once"
    )

    out: list[Figure] = []
    for provider in PROVIDERS.values():
        row = next(
            r for r in rows if r.provider == provider.id and r.duration == provider.caps.default_duration
        )
        label = f"{provider.id} {row.duration} s"
        out.append(
            Figure(
                f"status requests/job, {label}: ours / plain 5 s loop",
                row.share,
                f"{row.share:.0%} ({row.ours:.2f} vs {row.plain:.2f})",
                f"<= {REQUEST_SHARE_TARGET:.0%}",
                row.share <= REQUEST_SHARE_TARGET,
            )
        )
        out.append(
            Figure(
                f"p95 notice delay, {label}: ours vs plain",
                row.ours_p95,
                f"{row.ours_p95:.2f} s vs {row.plain_p95:.2f} s",
                "<= plain",
                row.ours_p95 <= row.plain_p95 + 1e-9,
            )
        )
    worst = max(rows, key=lambda r: r.share)
    out.append(
        Figure(
            "worst share over all documented clip lengths",
            worst.share,
            f"{worst.share:.0%} ({worst.provider} {worst.duration} s)",
            f"<= {REQUEST_SHARE_TARGET:.0%}",
            worst.share <= REQUEST_SHARE_TARGET,
        )
    )

    nano = PROVIDERS["nanophoto"]
    limit = nano.caps.rate_limit
    assert limit is not None
    per_hour = limit.requests * 3600 / limit.per_seconds
    row = next(r for r in rows if r.provider == "nanophoto" and r.duration == nano.caps.default_duration)
    ours_rate = per_hour / (1 + row.ours)
    plain_rate = per_hour / (1 + row.plain)
    say(
        f"nanophoto renders per hour within {per_hour:.0f} requests/hour (1 submit + status requests), "
        "ours vs plain (floor, MCP flow): "
        + "; ".join(
            f"{r.duration} s: {per_hour / (1 + r.ours):.1f} vs {per_hour / (1 + r.plain):.1f} "
            f"({per_hour / (1 + r.floor):.1f}, {per_hour / (1 + r.mcp):.1f})"
            for r in rows
            if r.provider == "nanophoto"
        )
    )
    out.append(
        Figure(
            f"nanophoto renders/hour in its {per_hour:.0f} req/h budget ({row.duration} s)",
            ours_rate,
            f"{ours_rate:.1f} vs {plain_rate:.1f} plain",
            "> plain",
            ours_rate > plain_rate,
        )
    )

    per_provider = 2 if quick else 4
    real = anyio.run(_real_jobs, per_provider)
    matched = sum(1 for j in real if j.served == j.simulated)
    say(
        f"real check: {len(real)} jobs through Service + sandbox (speed {REAL_SPEED}), "
        f"{per_provider} per provider: status requests served vs simulated for the same render time"
    )
    for j in sorted(real, key=lambda j: (j.provider, j.render)):
        say(
            f"  {j.provider:<14} render ends {j.render:6.1f} s after submit (unscaled), "
            f"{j.margin:4.1f} s from a poll: served {j.served:>2}, simulated {j.simulated:>2}"
        )
    served = sum(j.served for j in real)
    simulated = sum(j.simulated for j in real)
    within = all(abs(j.served - j.simulated) <= 1 for j in real)
    out.append(
        Figure(
            "real Service+sandbox status requests vs simulation",
            matched / len(real),
            f"{matched}/{len(real)} jobs exact, total {served} vs {simulated}",
            "each job within +-1",
            within,
        )
    )
    return out


if __name__ == "__main__":
    cli(__doc__, figures)
