"""A storyboard checked, priced and planned against its providers, with nothing sent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx2
import pytest

from seedance_mcp.engine import Service
from seedance_mcp.errors import BudgetExceeded, InvalidRequest
from seedance_mcp.film import films
from seedance_mcp.film.plan import PARENT_FRAME, parse_max_cost, plan_film, shot_prompt
from seedance_mcp.film.storyboard import parse_storyboard
from seedance_mcp.models import Money
from seedance_mcp.settings import Settings


def board(*shots: dict[str, Any], **top: Any) -> Any:
    return parse_storyboard({"title": "Harbour", **top, "shots": list(shots)})


def settings(tmp_path: Path, **env: str) -> Settings:
    return Settings.from_env({"SEEDANCE_HOME": str(tmp_path / "home"), **env})


def no_network(request: httpx2.Request) -> httpx2.Response:
    raise AssertionError(f"nothing may be sent while checking a film: {request.url}")


def ten_shots() -> list[dict[str, Any]]:
    shots: list[dict[str, Any]] = []
    for i in range(10):
        shot: dict[str, Any] = {
            "id": f"s{i}",
            "prompt": f"Beat {i}: the harbour wakes; slow pan",
            "duration": 4 + i % 3,
        }
        if i in (3, 7):
            shot["continue_from"] = f"s{i - 1}"
        if i == 5:
            shot |= {"transition": "crossfade", "crossfade": 0.5}
        shots.append(shot)
    return shots


def test_a_ten_shot_storyboard_is_checked_and_priced_without_sending_anything(tmp_path: Path) -> None:
    svc = Service(settings(tmp_path), transport=httpx2.MockTransport(no_network))
    try:
        check = films.check(svc, board(*ten_shots(), provider="byteplus", resolution="720p", audio=True))
    finally:
        svc.close()
    assert len(check.shots) == 10 and not check.sandbox  # planned as byteplus's production request
    assert all(s.price is not None and s.price.unit == "USD" for s in check.shots)
    [total] = check.total
    assert total.unit == "USD"
    assert total.amount == pytest.approx(sum(s.price.amount for s in check.shots if s.price))
    assert check.to_spend == check.total  # nothing rendered yet
    assert {s.action for s in check.shots} == {"render"}
    assert check.waves == [["s0", "s1", "s2", "s4", "s5", "s6", "s8", "s9"], ["s3", "s7"]]
    chained = {s.id: s.chain for s in check.shots if s.continue_from}
    assert chained == {"s3": "last_frame", "s7": "last_frame"}
    # The critical path is a parent and its child, not the sum of all shots.
    one = check.one_shot_seconds
    assert one < check.expected_seconds <= 2 * one + 1e-6
    assert len(check.critical_path) == 2


def test_a_bad_shot_refuses_the_whole_film_naming_shot_and_field(tmp_path: Path) -> None:
    shots = [{"id": f"s{i}", "prompt": "x", "duration": 5} for i in range(10)]
    shots[6] = {"id": "harbour", "prompt": "Nets", "duration": 20}
    with pytest.raises(InvalidRequest) as caught:
        plan_film(settings(tmp_path), board(*shots, provider="seedance15pro"), require_key=False)
    err = caught.value
    assert err.message.startswith("shots[6] (id 'harbour'): duration: ")
    assert err.field == "shots[6].duration" and err.value == 20
    assert "20" in err.message and err.allowed


def test_a_shot_override_is_resolved_against_its_own_provider(tmp_path: Path) -> None:
    plan = plan_film(
        settings(tmp_path),
        board(
            {"id": "a", "prompt": "x", "duration": 5},
            {"id": "b", "prompt": "y", "provider": "nanophoto", "duration": 8},
            provider="byteplus",
        ),
        require_key=False,
    )
    assert [(s.provider, s.price.unit if s.price else None) for s in plan.shots] == [
        ("byteplus", "USD"),
        ("nanophoto", "credits"),
    ]
    assert [m.unit for m in plan.totals] == ["credits", "USD"]  # one amount per unit, never summed


def test_a_chain_the_provider_cannot_take_is_refused_with_the_reason(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest) as caught:
        plan_film(
            settings(tmp_path),
            board(
                {"id": "a", "prompt": "x"},
                {"id": "b", "prompt": "y", "continue_from": "a"},
                provider="nanophoto",
            ),
            require_key=False,
        )
    err = caught.value
    assert err.field == "shots[1].continue_from"
    assert "hands back no last frame" in err.message and "takes no local image file" in err.message
    assert "byteplus" in err.message


def test_a_chain_asks_the_parent_for_its_last_frame_and_stands_in_for_it(tmp_path: Path) -> None:
    plan = plan_film(
        settings(tmp_path),
        board(
            {"id": "a", "prompt": "x"}, {"id": "b", "prompt": "y", "continue_from": "a"}, provider="byteplus"
        ),
        require_key=False,
    )
    a, b = plan.shots
    assert a.request.last_frame and not b.request.last_frame
    assert b.request.image_url == PARENT_FRAME and b.chain == "last_frame"
    assert b.start == pytest.approx(a.finish)
    assert plan.expected_seconds == pytest.approx(a.expected_seconds + b.expected_seconds)


def test_a_crossfade_longer_than_a_shot_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidRequest) as caught:
        plan_film(
            settings(tmp_path),
            board(
                {"id": "a", "prompt": "x", "duration": 4},
                {"id": "b", "prompt": "y", "duration": 4, "transition": "crossfade", "crossfade": 4},
                provider="byteplus",
            ),
            require_key=False,
        )
    assert caught.value.field == "shots[1].crossfade"
    assert "less than 4 s" in caught.value.message


def test_characters_are_woven_into_every_shot_that_names_them(tmp_path: Path) -> None:
    b = board(
        {"id": "a", "prompt": "Ines mends a net", "characters": ["ines"], "sound": "gulls"},
        {"id": "b", "prompt": "Ines waves", "characters": ["ines"]},
        characters={"ines": {"description": "a fisher in a red cap, grey beard"}},
        audio=True,
    )
    first = shot_prompt(b, b.shots[0], audio=True)
    assert first == "Ines mends a net\nines: a fisher in a red cap, grey beard\nSound: gulls"
    assert "ines: a fisher in a red cap, grey beard" in shot_prompt(b, b.shots[1], audio=True)
    assert "Sound" not in shot_prompt(b, b.shots[0], audio=False)


def test_a_character_reference_becomes_the_shots_reference_image(tmp_path: Path) -> None:
    b = board(
        {"id": "a", "prompt": "Ines mends a net", "characters": ["ines"]},
        characters={"ines": {"description": "a fisher", "reference": "https://cdn.example.com/ines.png"}},
        provider="byteplus",
        model="seedance-2.0",
    )
    assert "ines (@image1): a fisher" in shot_prompt(b, b.shots[0], audio=False)
    # Where the model takes no references, the film is refused naming the shot's characters.
    try:
        plan = plan_film(settings(tmp_path), b, require_key=False)
    except InvalidRequest as err:
        assert err.field == "shots[0].characters"
        assert err.message.startswith("shots[0] (id 'a'): characters:")
    else:
        assert plan.shots[0].request.reference_images == ("https://cdn.example.com/ines.png",)


def test_parallel_limits_stretch_the_expected_wall_time(tmp_path: Path) -> None:
    shots = [{"id": f"s{i}", "prompt": "x", "duration": 5} for i in range(6)]
    wide = plan_film(settings(tmp_path), board(*shots, provider="byteplus"), require_key=False)
    narrow = plan_film(
        settings(tmp_path), board(*shots, provider="byteplus"), max_parallel=2, require_key=False
    )
    assert wide.expected_seconds == pytest.approx(wide.one_shot_seconds)
    assert narrow.expected_seconds == pytest.approx(3 * narrow.one_shot_seconds)
    with pytest.raises(InvalidRequest, match="max_parallel"):
        plan_film(settings(tmp_path), board(*shots, provider="byteplus"), max_parallel=0, require_key=False)


def test_a_film_over_budget_is_refused_before_anything_is_sent(tmp_path: Path) -> None:
    b = board(*[{"id": f"s{i}", "prompt": "x", "duration": 5} for i in range(4)], provider="byteplus")
    svc = Service(settings(tmp_path, SEEDANCE_MAX_COST="0.2 USD"), transport=httpx2.MockTransport(no_network))
    try:
        with pytest.raises(BudgetExceeded) as caught:
            films.check(svc, b)
        assert "SEEDANCE_MAX_COST=0.20 USD" in caught.value.message and "4 shots" in caught.value.message
        with pytest.raises(BudgetExceeded, match=r"--max-cost 0\.10 USD"):
            films.check(svc, b, max_cost=Money(amount=0.1, unit="USD"))
        assert films.check(svc, b, max_cost=Money(amount=5, unit="USD")).total
    finally:
        svc.close()
    credits = board(*[{"id": f"s{i}", "prompt": "x", "duration": 8} for i in range(3)], provider="nanophoto")
    svc = Service(settings(tmp_path, SEEDANCE_MAX_CREDITS="10"), transport=httpx2.MockTransport(no_network))
    try:
        with pytest.raises(BudgetExceeded, match="SEEDANCE_MAX_CREDITS=10"):
            films.check(svc, credits)
        # A cap in another unit cannot check a USD film: refused unless the cost is confirmed.
        with pytest.raises(BudgetExceeded) as other:
            films.check(svc, b)
        assert other.value.confirmable
        assert films.check(svc, b, confirm_unpriced=True).total
    finally:
        svc.close()


@pytest.mark.parametrize(
    ("text", "money"),
    [("40 credits", Money(amount=40, unit="credits")), ("2,5 usd", Money(amount=2.5, unit="USD"))],
)
def test_max_cost_reads_an_amount_and_a_unit(text: str, money: Money) -> None:
    assert parse_max_cost(text) == money


@pytest.mark.parametrize("text", ["40", "ten USD", "-1 USD", "5 EUR"])
def test_max_cost_refuses_anything_else(text: str) -> None:
    with pytest.raises(InvalidRequest) as caught:
        parse_max_cost(text)
    assert caught.value.field == "max_cost"
