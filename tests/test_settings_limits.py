"""Settings that would turn a limit off or break a job after it was sent are refused up front
(issue 11, findings 9 and 10): nan and inf in any number, a sandbox speed of 0, a weak token."""

from __future__ import annotations

import secrets

import pytest

from seedance_mcp.errors import ConfigError
from seedance_mcp.settings import MCP_TOKEN_ENV, MIN_TOKEN_CHARS, Settings, mcp_token

NUMBERS = [
    "SEEDANCE_MAX_CREDITS",
    "SEEDANCE_POLL_INTERVAL",
    "SEEDANCE_POLL_INITIAL_DELAY",
    "SEEDANCE_SANDBOX_SPEED",
    "SEEDANCE_RETRY_BASE_DELAY",
]


@pytest.mark.parametrize("raw", ["nan", "NaN", "inf", "-inf", "Infinity", "1e999"])
@pytest.mark.parametrize("name", NUMBERS)
def test_a_number_that_is_not_finite_is_refused_naming_the_variable(name: str, raw: str) -> None:
    # nan compares false with every bound: SEEDANCE_MAX_CREDITS=nan turned the cap off, and
    # SEEDANCE_POLL_INTERVAL=nan failed only after the paid submit had been sent.
    with pytest.raises(ConfigError) as info:
        Settings.from_env({name: raw})
    assert info.value.message.startswith(f"{name}: ") and "finite" in info.value.message
    assert "allowed:" in info.value.message


def test_a_sandbox_speed_of_zero_is_refused_with_the_allowed_range() -> None:
    with pytest.raises(ConfigError, match=r"SEEDANCE_SANDBOX_SPEED: must be more than 0"):
        Settings.from_env({"SEEDANCE_SANDBOX_SPEED": "0"})
    assert Settings.from_env({"SEEDANCE_SANDBOX_SPEED": "0.0001"}).sandbox_speed == 0.0001


def test_finite_numbers_are_kept() -> None:
    settings = Settings.from_env(
        {"SEEDANCE_MAX_CREDITS": "0", "SEEDANCE_POLL_INTERVAL": "2.5", "SEEDANCE_POLL_INITIAL_DELAY": "0"}
    )
    assert (settings.max_credits, settings.poll_interval, settings.poll_initial_delay) == (0, 2.5, 0)


@pytest.mark.parametrize(
    "token", ["x", "hunter2", "a" * 64, "ab" * 40, "0123456789abcdef" * 1 + "0" * 15, "Tr0ub4dor&3-Tr0ub4dor"]
)
def test_a_weak_mcp_token_is_refused_without_showing_it(token: str) -> None:
    with pytest.raises(ConfigError) as info:
        mcp_token({MCP_TOKEN_ENV: token})
    message = info.value.message
    assert message.startswith(f"{MCP_TOKEN_ENV}: ") and f"at least {MIN_TOKEN_CHARS} characters" in message
    assert token not in message and info.value.code == "weak_token"


def test_a_strong_mcp_token_is_accepted_and_an_unset_one_is_none() -> None:
    strong = secrets.token_urlsafe(32)
    assert mcp_token({MCP_TOKEN_ENV: f"  {strong}\n"}) == strong
    hexed = "9f3a1c7e0b2d4f68a5e1c3b7d9f20486"  # the shape of openssl rand -hex 16
    assert mcp_token({MCP_TOKEN_ENV: hexed}) == hexed
    assert mcp_token({}) is None
    assert mcp_token({MCP_TOKEN_ENV: "${SEEDANCE_MCP_TOKEN}"}) is None  # an unexpanded placeholder
