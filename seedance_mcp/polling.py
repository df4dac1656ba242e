"""When to ask a provider about a job: provider-aware, cheap, and bounded.

Polling every 5 s from the start wastes most requests: a render cannot finish before the
provider's documented lower bound. The schedule waits until just before that bound (or the
provider's own documented first delay), then polls at the documented interval; past the
documented upper bound it slows down. Every figure is scaled in sandbox mode, and both
`SEEDANCE_POLL_INITIAL_DELAY` and `SEEDANCE_POLL_INTERVAL` override the defaults.
"""

from __future__ import annotations

from dataclasses import dataclass

from .providers import Provider, get_model

__all__ = ["PollSchedule"]


@dataclass(frozen=True)
class PollSchedule:
    initial_delay: float
    interval: float
    expected_low: float
    expected_high: float
    tail_interval: float

    @classmethod
    def for_job(
        cls,
        provider: Provider,
        duration: int,
        *,
        model: str | None = None,
        flex: bool = False,
        interval: float | None = None,
        initial_delay: float | None = None,
        scale: float = 1.0,
    ) -> PollSchedule:
        caps = get_model(provider, model).caps
        offline = flex and caps.flex_poll is not None
        advice = caps.flex_poll if offline and caps.flex_poll is not None else caps.poll
        low, high = advice.typical(duration)
        # The first check comes at the documented lower bound for this clip length: nothing
        # can be done earlier. (APIXO's generic "wait 50 s" is this bound for 8 s clips;
        # its per-length figures are more precise: 40 s for 4 s clips, 90 s for 12 s.)
        first = low
        step = min(advice.interval, 5.0)
        if offline or (caps.rate_limit is not None and caps.rate_limit.per_seconds >= 3600):
            # A tight hourly budget (NanoPhoto: 100/hour, status checks included) gets the
            # documented interval as it is, not tightened; so does the offline tier, whose
            # render takes minutes to hours.
            step = advice.interval
        return cls(
            initial_delay=initial_delay if initial_delay is not None else first * scale,
            interval=interval if interval is not None else step * scale,
            expected_low=low * scale,
            expected_high=high * scale,
            tail_interval=(interval if interval is not None else max(step, min(30.0, step * 3)) * scale),
        )

    def next_poll_at(self, elapsed: float, polls_done: int) -> float:
        """Seconds since submit at which to poll next, given what has been done so far."""
        if elapsed < self.initial_delay:
            return self.initial_delay
        if polls_done == 0:
            return elapsed
        step = self.interval if elapsed < self.expected_high * 1.5 else self.tail_interval
        return elapsed + step

    def expected_seconds(self) -> float:
        return (self.expected_low + self.expected_high) / 2
