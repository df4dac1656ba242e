"""The provider registry: one refusal for an unknown id, wherever the id comes from."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from seedance_mcp.cli.exits import exit_code_for
from seedance_mcp.craft.inputs import check_provider
from seedance_mcp.errors import ConfigError, InvalidRequest, UnknownProvider
from seedance_mcp.providers import PROVIDER_IDS, get_provider


@pytest.mark.parametrize("lookup", [get_provider, check_provider], ids=["get_provider", "check_provider"])
def test_an_unknown_provider_is_refused_once_the_same_way(lookup: Callable[[str], object]) -> None:
    with pytest.raises(UnknownProvider) as info:
        lookup("veo")
    err = info.value
    # Bad input wherever the id came from: an argument or SEEDANCE_PROVIDER.
    assert isinstance(err, InvalidRequest) and isinstance(err, ConfigError)
    assert err.code == "invalid_request" and exit_code_for(err) == 2
    assert (err.field, err.value, err.allowed) == ("provider", "veo", list(PROVIDER_IDS))
    assert err.message == (
        "provider: unknown provider 'veo'; "
        "allowed: nanophoto, seedanceapi, apixo, seedance15pro, seedance2ai, byteplus, volcengine, "
        "replicate, fal."
    )


def test_ids_are_found_in_any_case() -> None:
    assert get_provider(" SeedanceAPI ").id == "seedanceapi"
    aim = check_provider("APIXO")
    assert aim is not None and aim.id == "apixo" and aim.caps is get_provider("apixo").caps
    assert check_provider(None) is None
