"""Provider choice from the environment, and the provider-aware poll schedule."""

from __future__ import annotations

import pytest

from seedance_mcp.errors import ConfigError
from seedance_mcp.polling import PollSchedule
from seedance_mcp.providers import get_provider
from seedance_mcp.settings import Secret, Settings

KEY = "sk-live-abcdef-SECRET"


def target(env: dict[str, str], provider: str | None = None):  # type: ignore[no-untyped-def]
    return Settings.from_env(env).target(provider)


def test_no_key_means_sandbox_with_a_notice() -> None:
    t = target({})
    assert t.sandbox and t.key is None
    assert t.notice is not None and "nothing real is rendered" in t.notice


def test_first_provider_with_its_own_key_wins() -> None:
    t = target({"APIXO_API_KEY": KEY, "SEEDANCE2AI_API_KEY": KEY})
    assert (t.provider.id, t.key_env, t.sandbox) == ("apixo", "APIXO_API_KEY", False)


def test_generic_key_alone_selects_seedance2ai() -> None:
    t = target({"SEEDANCE_API_KEY": KEY})
    assert (t.provider.id, t.key_env) == ("seedance2ai", "SEEDANCE_API_KEY")


def test_generic_key_serves_an_explicit_provider() -> None:
    t = target({"SEEDANCE_API_KEY": KEY, "SEEDANCE_PROVIDER": "seedance15pro"})
    assert (t.provider.id, t.key_env) == ("seedance15pro", "SEEDANCE_API_KEY")


def test_explicit_provider_without_key_is_an_error_naming_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        target({"NANOPHOTO_API_KEY": KEY}, provider="seedanceapi")
    assert "SEEDANCEAPI_API_KEY" in info.value.message
    with pytest.raises(ConfigError):
        target({"SEEDANCE_PROVIDER": "apixo"})


def test_sandbox_forced_uses_the_chosen_provider_and_no_key() -> None:
    t = target({"SEEDANCE_SANDBOX": "1", "NANOPHOTO_API_KEY": KEY}, provider="apixo")
    assert t.sandbox and t.provider.id == "apixo" and t.key is None


def test_unknown_provider_names_the_allowed_ones() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({"SEEDANCE_PROVIDER": "veo"})
    assert "nanophoto" in info.value.message and "seedance2ai" in info.value.message


@pytest.mark.parametrize(
    "name", ["SEEDANCE_MAX_CREDITS", "SEEDANCE_POLL_INTERVAL", "SEEDANCE_POLL_INITIAL_DELAY"]
)
def test_numeric_settings_refuse_garbage(name: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: "lots"})
    assert name in info.value.message


def test_base_url_override_and_key_is_never_in_repr() -> None:
    s = Settings.from_env({"NANOPHOTO_API_KEY": KEY, "SEEDANCE_BASE_URL": "http://127.0.0.1:9/x"})
    t = s.target()
    assert t.base_url == "http://127.0.0.1:9/x"
    assert t.key == Secret(KEY)
    assert KEY not in repr(s) and KEY not in repr(t) and KEY not in str(t.key)
    with pytest.raises(TypeError):
        import pickle

        pickle.dumps(t.key)


def test_apixo_schedule_follows_its_documented_advice() -> None:
    # "4-second video: ~40-60 seconds ... 12-second video: ~90-120 seconds; poll every 5 seconds"
    s = PollSchedule.for_job(get_provider("apixo"), 4)
    assert s.initial_delay == 40.0
    assert s.interval == 5.0
    assert s.next_poll_at(0.0, 0) == 40.0
    assert s.next_poll_at(40.0, 0) == 40.0
    assert s.next_poll_at(40.0, 1) == 45.0
    assert PollSchedule.for_job(get_provider("apixo"), 8).initial_delay == 60.0
    assert PollSchedule.for_job(get_provider("apixo"), 12).initial_delay == 90.0


def test_nanophoto_schedule_waits_for_the_render_and_respects_the_hourly_budget() -> None:
    s = PollSchedule.for_job(get_provider("nanophoto"), 8)
    assert s.initial_delay == 60.0  # typical generation 1-3 minutes
    assert 5.0 <= s.interval <= 10.0  # poll every 5-10 s
    # past the documented upper bound the schedule slows down, never stops
    late = s.next_poll_at(s.expected_high * 2, 10) - s.expected_high * 2
    assert late > s.interval


def test_status_requests_for_a_60s_nanophoto_render() -> None:
    """The figure the issue asks for: default schedule against a plain 5 s loop."""
    s = PollSchedule.for_job(get_provider("nanophoto"), 4)
    finish = 60.0
    polls, t = 0, 0.0
    while True:
        t = s.next_poll_at(t, polls)
        polls += 1
        if t >= finish:
            break
    plain = int(finish // 5)  # polls at 5, 10, ..., 60
    assert polls == 1
    assert plain == 12


def test_overrides_and_sandbox_scale() -> None:
    p = get_provider("seedance2ai")
    s = PollSchedule.for_job(p, 5, interval=2.0, initial_delay=1.0)
    assert (s.initial_delay, s.interval) == (1.0, 2.0)
    scaled = PollSchedule.for_job(p, 5, scale=0.01)
    plain = PollSchedule.for_job(p, 5)
    assert scaled.initial_delay == pytest.approx(plain.initial_delay * 0.01)
    assert scaled.expected_high == pytest.approx(plain.expected_high * 0.01)


# ---- unexpanded placeholders (issue 12, item 3) ---------------------------------------------

PLACEHOLDERS = [
    "${NANOPHOTO_API_KEY}",
    "  ${NANOPHOTO_API_KEY}  ",
    "${NANOPHOTO_API_KEY:-}",
    "${env:NANOPHOTO_API_KEY}",
    "$NANOPHOTO_API_KEY",
    "%NANOPHOTO_API_KEY%",
    "$(NANOPHOTO_API_KEY)",
    "{{NANOPHOTO_API_KEY}}",
    '"${NANOPHOTO_API_KEY}"',
]


@pytest.mark.parametrize("value", PLACEHOLDERS)
def test_an_unexpanded_placeholder_is_no_key(value: str, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level("WARNING", logger="seedance_mcp.settings"):
        t = target({"NANOPHOTO_API_KEY": value})
    assert t.sandbox and t.key is None
    warnings = [r for r in caplog.records if r.levelname == "WARNING"]
    assert len(warnings) == 1
    assert "NANOPHOTO_API_KEY" in warnings[0].getMessage()
    assert "unexpanded placeholder" in warnings[0].getMessage()


def test_a_placeholder_key_falls_through_to_a_real_one() -> None:
    t = target({"NANOPHOTO_API_KEY": "${NANOPHOTO_API_KEY}", "APIXO_API_KEY": KEY})
    assert (t.provider.id, t.key, t.sandbox) == ("apixo", Secret(KEY), False)


def test_a_placeholder_generic_key_does_not_select_seedance2ai() -> None:
    assert target({"SEEDANCE_API_KEY": "${SEEDANCE_API_KEY}"}).sandbox


def test_a_chosen_provider_with_a_placeholder_key_is_refused_as_missing() -> None:
    with pytest.raises(ConfigError) as info:
        target({"APIXO_API_KEY": "${APIXO_API_KEY}"}, provider="apixo")
    assert info.value.code == "missing_key"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("SEEDANCE_PROVIDER", "${SEEDANCE_PROVIDER}"),
        ("SEEDANCE_BASE_URL", "$SEEDANCE_BASE_URL"),
        ("SEEDANCE_SANDBOX", "%SEEDANCE_SANDBOX%"),
        ("SEEDANCE_MAX_CREDITS", "${SEEDANCE_MAX_CREDITS}"),
        ("SEEDANCE_HOME", "${SEEDANCE_HOME}"),
        ("SEEDANCE_OUTPUT_DIR", "${SEEDANCE_OUTPUT_DIR}"),
    ],
)
def test_every_seedance_variable_treats_a_placeholder_as_unset(
    name: str, value: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level("WARNING", logger="seedance_mcp.settings"):
        s = Settings.from_env({name: value})  # no "unknown provider" / "not a number" refusal
    assert s == Settings.from_env({})
    assert any(name in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    "value", ["sk-live-abc$def", "key%with%percent", "$", "%%", "${", "a${B}", "https://x/${y}/z", "12"]
)
def test_values_that_merely_contain_a_dollar_or_percent_are_kept(value: str) -> None:
    from seedance_mcp.settings import is_placeholder

    assert not is_placeholder(value)


def test_a_placeholder_is_not_a_secret_to_scrub_and_unrelated_variables_are_left_alone() -> None:
    from seedance_mcp.settings import configured_secrets, usable_env

    assert configured_secrets({"NANOPHOTO_API_KEY": "${NANOPHOTO_API_KEY}"}) == []
    assert usable_env({"HOME": "$HOME", "SEEDANCE_PROVIDER": "$X"}, warn=False) == {"HOME": "$HOME"}


def test_an_unknown_seedance_provider_names_the_variable_it_came_from() -> None:
    from seedance_mcp.errors import UnknownProvider

    with pytest.raises(UnknownProvider) as info:
        Settings.from_env({"SEEDANCE_PROVIDER": "veo"})
    assert info.value.message.startswith("SEEDANCE_PROVIDER: unknown provider 'veo'; allowed: nanophoto")
    assert info.value.field == "SEEDANCE_PROVIDER"


def test_the_sandbox_notice_does_not_claim_a_variable_that_was_not_set() -> None:
    notice = Settings.from_env({}, sandbox=True).target().notice or ""
    assert "--sandbox or SEEDANCE_SANDBOX=1" in notice


def test_the_schedule_follows_the_model_and_the_offline_tier() -> None:
    ark = get_provider("byteplus")
    one = PollSchedule.for_job(ark, 5, model="seedance-1.5-pro")
    two = PollSchedule.for_job(ark, 5, model="seedance-2.0")
    assert (one.expected_low, one.expected_high) < (two.expected_low, two.expected_high)
    flex = PollSchedule.for_job(ark, 5, model="seedance-1.5-pro", flex=True)
    # Minutes to hours: the first check waits for the offline tier's lower bound, and polls come
    # at its documented interval, never faster after the typical time has passed.
    assert flex.initial_delay >= 600 and flex.interval == 60.0 and flex.tail_interval >= flex.interval
    # A model without that tier keeps its own schedule even if flex is asked for.
    assert PollSchedule.for_job(ark, 5, model="seedance-2.0", flex=True) == two
