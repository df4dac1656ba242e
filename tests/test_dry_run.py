"""`--dry-run` sends nothing, so it needs no key: every provider's production request, keyless
(issue 12, item 6)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from cli_harness import run_cli

from seedance_mcp.engine import Service
from seedance_mcp.errors import ConfigError, InvalidRequest
from seedance_mcp.models import VideoRequest
from seedance_mcp.providers import PROVIDER_IDS, get_provider
from seedance_mcp.settings import Settings


@pytest.mark.parametrize("provider", PROVIDER_IDS)
@pytest.mark.parametrize("sandbox", ["", "1"])
def test_a_dry_run_needs_no_key_and_shows_the_production_request(provider: str, sandbox: str) -> None:
    env = {"SEEDANCE_SANDBOX": sandbox} if sandbox else {}
    svc = Service(Settings.from_env(env))
    dry = svc.dry_run(VideoRequest(prompt="A kite over the dunes"), provider)
    svc.close()
    p = get_provider(provider)
    assert dry.provider == provider
    assert dry.url.startswith(p.base_url + "/")
    assert "127.0.0.1" not in dry.url
    assert dry.headers["Authorization"] == f"{p.auth_scheme} <redacted: {p.key_env}>"
    assert dry.sandbox is bool(sandbox)
    assert svc.sandbox is None  # no simulator was started


@pytest.mark.parametrize("provider", PROVIDER_IDS)
def test_the_cli_dry_run_works_for_every_provider_with_an_empty_environment(
    provider: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run_cli(
        monkeypatch, capsys, {}, "generate", "A kite", "--provider", provider, "--dry-run", "--json"
    )
    assert code == 0, err
    shown = json.loads(out)
    assert shown["url"].startswith(get_provider(provider).base_url)
    p = get_provider(provider)
    assert shown["headers"]["Authorization"] == f"{p.auth_scheme} <redacted: {p.key_env}>"
    assert not (tmp_path / "seedance-videos").exists()


def test_a_keyless_dry_run_still_refuses_bad_input_naming_the_field() -> None:
    svc = Service(Settings.from_env({}))
    with pytest.raises(InvalidRequest) as info:
        svc.dry_run(VideoRequest(prompt="A kite", duration=99), "nanophoto")
    assert info.value.field == "duration"


def test_a_real_submit_without_a_key_is_still_refused() -> None:
    svc = Service(Settings.from_env({}))
    with pytest.raises(ConfigError) as info:
        svc.prepare(VideoRequest(prompt="A kite"), "apixo")
    assert info.value.code == "missing_key"
