"""Settings from the environment, built on demand (never at import time).

Provider choice, in order: an explicit choice (`--provider` / tool argument, then
`SEEDANCE_PROVIDER`); else the first provider whose own key variable is set; else
`seedance2ai` when only `SEEDANCE_API_KEY` is set; else sandbox mode. An explicitly chosen
provider without a key is an error naming the variable to set, never a silent switch to
the sandbox (unless sandbox mode was asked for).

A variable of ours that holds an unexpanded placeholder (`${NANOPHOTO_API_KEY}`, `$NAME`,
`%NAME%`: what an MCP client passes on when the variable it names is unset) counts as unset,
with a warning naming the variable.
"""

from __future__ import annotations

import logging
import math
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from .errors import ConfigError, UnknownProvider
from .models import MODEL_NAMES, Money
from .providers import PROVIDERS, Provider, canonical_model, get_provider
from .redaction import MIN_SECRET_CHARS

__all__ = [
    "DEFAULT_OUTPUT_DIR",
    "DEFAULT_PORT",
    "DEFAULT_SANDBOX_SPEED",
    "DEFAULT_TIMEOUT_SECONDS",
    "FALSY",
    "GENERIC_KEY_ENV",
    "MAX_COST_ENV",
    "MCP_TOKEN_ENV",
    "MIN_TOKEN_CHARS",
    "MODEL_ENV",
    "TRUTHY",
    "Secret",
    "Settings",
    "Target",
    "configured_secrets",
    "is_placeholder",
    "is_truthy",
    "key_variable_names",
    "key_variables",
    "mcp_token",
    "usable_env",
]

log = logging.getLogger("seedance_mcp.settings")

# ---- the one place for each default and variable name ---------------------------------------

GENERIC_KEY_ENV = "SEEDANCE_API_KEY"
"""Serves the selected provider when its own key variable is unset."""
MODEL_ENV = "SEEDANCE_MODEL"
"""The model to use when a call names none (else each provider's default model)."""
MCP_TOKEN_ENV = "SEEDANCE_MCP_TOKEN"  # noqa: S105 (the variable name, not a token)
"""The bearer token HTTP clients of the MCP server must send."""
SANDBOX_DEFAULT_PROVIDER = "nanophoto"
"""The provider the sandbox simulates when none is chosen."""
DEFAULT_TIMEOUT_SECONDS = 30 * 60.0
"""How long a CLI render or `status --wait` waits at most unless told otherwise."""
MIN_TOKEN_CHARS = 32
"""The shortest SEEDANCE_MCP_TOKEN accepted; it must also use at least `_TOKEN_DISTINCT`
different characters (`secrets.token_urlsafe(32)` gives 43 characters, `openssl rand -hex 16` 32)."""
_TOKEN_DISTINCT = 10
DEFAULT_PORT = 8765
"""The loopback port of `seedance sandbox` and of the MCP server over HTTP."""
DEFAULT_OUTPUT_DIR = "seedance-videos"
"""Where videos are saved (relative to the working directory) unless SEEDANCE_OUTPUT_DIR says."""
DEFAULT_SANDBOX_SPEED = 0.05
"""The simulator's time scale unless SEEDANCE_SANDBOX_SPEED says: a 60 s render takes 3 s."""
TRUTHY = frozenset({"1", "true", "yes", "on"})
"""The words that switch a boolean on (compared lower-case)."""
FALSY = frozenset({"0", "false", "no", "off"})
"""The words that switch a boolean off (compared lower-case)."""


def is_truthy(text: str) -> bool:
    return text.strip().lower() in TRUTHY


# What a client or shell leaves behind when it did not expand a reference to a variable:
# `${NAME}` (also `${NAME:-default}`, `${env:NAME}`), `$NAME`, `$(NAME)`, `%NAME%` and `{{NAME}}`,
# with spaces or quotes around it. No real key, URL or number has that shape.
_PLACEHOLDER = re.compile(
    r"""\$\{[^{}]*\}|\$[A-Za-z_][A-Za-z0-9_]*|\$\([A-Za-z_][A-Za-z0-9_]*\)|%[A-Za-z_][A-Za-z0-9_]*%"""
    r"""|\{\{\s*[A-Za-z_][A-Za-z0-9_.:-]*\s*\}\}"""
)


def is_placeholder(value: str) -> bool:
    """Whether `value` is an unexpanded reference to a variable rather than a value."""
    text = value.strip().strip("\"'").strip()
    return bool(text) and _PLACEHOLDER.fullmatch(text) is not None


def _ours(name: str) -> bool:
    return name.startswith("SEEDANCE_") or name in _key_names()


def _key_names() -> set[str]:
    own = {name for p in PROVIDERS.values() for name in (p.key_env, *p.key_envs)}
    return own | {GENERIC_KEY_ENV, MCP_TOKEN_ENV}


def key_variable_names() -> frozenset[str]:
    """Every variable that can hold a key or the MCP token (what no output may show)."""
    return frozenset(_key_names())


def key_variables(provider: Provider) -> str:
    """The variables that can hold `provider`'s key, in the order they are read, for messages:
    "BYTEPLUS_API_KEY (or ARK_API_KEY, or SEEDANCE_API_KEY)"."""
    fallbacks = ", or ".join((*provider.key_envs, GENERIC_KEY_ENV))
    return f"{provider.key_env} (or {fallbacks})"


def usable_env(env: Mapping[str, str], *, warn: bool = True) -> dict[str, str]:
    """`env` without our variables that hold an unexpanded placeholder, each named in a warning.

    An MCP client that finds `"NANOPHOTO_API_KEY": "${NANOPHOTO_API_KEY}"` in its config with
    the variable unset passes the text through as is; taken as a key it would send real
    requests that can only fail. Only the variable's name is logged, never its value.
    """
    kept: dict[str, str] = {}
    for name, value in env.items():
        if _ours(name) and is_placeholder(value):
            if warn:
                log.warning(
                    "%s holds an unexpanded placeholder, not a value; treating it as unset. "
                    "Set %s in the environment the client starts from, or remove it from the config.",
                    name,
                    name,
                )
            continue
        kept[name] = value
    return kept


class Secret:
    """An API key. Its value leaves this object only through `reveal()`, for the auth header."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('<redacted>')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("an API key is not serialisable")


@dataclass(frozen=True, kw_only=True)
class Target:
    """Where one job goes: the provider, its key (absent in sandbox mode) and base URL override."""

    provider: Provider
    key: Secret | None
    key_env: str | None
    sandbox: bool
    base_url: str | None
    notice: str | None = None


def configured_secrets(env: Mapping[str, str]) -> list[str]:
    """Every key value and the MCP token set in `env`: what no output may ever carry.

    Values shorter than `redaction.MIN_SECRET_CHARS` are left out (the redactor would skip them).
    """
    values = (env.get(name, "").strip() for name in _key_names())
    return [v for v in values if len(v) >= MIN_SECRET_CHARS and not is_placeholder(v)]


def mcp_token(env: Mapping[str, str] | None = None) -> str | None:
    """The bearer token HTTP clients of the MCP server must send (SEEDANCE_MCP_TOKEN), or None
    when it is unset. A token that a guess could find is refused with `ConfigError`: shorter
    than `MIN_TOKEN_CHARS`, or made of fewer than 10 different characters. The token itself is
    never part of the message."""
    token = usable_env(os.environ if env is None else env, warn=False).get(MCP_TOKEN_ENV, "").strip()
    if not token:
        return None
    if len(token) < MIN_TOKEN_CHARS or len(set(token)) < _TOKEN_DISTINCT:
        raise ConfigError(
            f"{MCP_TOKEN_ENV}: too weak ({len(token)} characters, {len(set(token))} different); it must "
            f"be at least {MIN_TOKEN_CHARS} characters with at least {_TOKEN_DISTINCT} different ones. "
            'Make one with: python -c "import secrets; print(secrets.token_urlsafe(32))"',
            code="weak_token",
        )
    return token


_UNITS = {
    "SEEDANCE_MAX_CREDITS": "credits",
    "SEEDANCE_SANDBOX_SPEED": "a time scale (1 = the documented render time)",
}


def _number(env: Mapping[str, str], name: str, *, minimum: float = 0.0, above: bool = False) -> float | None:
    """A finite number from `env[name]`, at least `minimum` (more than it when `above`)."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    unit = _UNITS.get(name, "seconds")
    bound = f"more than {minimum:g}" if above else f"at least {minimum:g}"
    try:
        value = float(raw)
    except ValueError:
        raise ConfigError(f"{name}: {raw[:40]!r} is not a number ({unit}); allowed: {bound}.") from None
    if not math.isfinite(value):
        raise ConfigError(f"{name}: {raw[:40]!r} is not a finite number ({unit}); allowed: {bound}.")
    if value < minimum or (above and value == minimum):
        raise ConfigError(f"{name}: must be {bound} ({unit}); got {raw}.")
    return value


MAX_COST_ENV = "SEEDANCE_MAX_COST"
"""Refuse any single job estimated above this amount of money: "2.50 USD" or "20 CNY"."""


def _money(env: Mapping[str, str], name: str) -> Money | None:
    """An amount with a money unit from `env[name]` ("2.50 USD"), else None when unset."""
    raw = env.get(name, "").strip()
    if not raw:
        return None
    parts = raw.replace(",", ".").split()
    units = ("USD", "CNY")
    if len(parts) == 2 and parts[1].upper() in units:
        try:
            amount = float(parts[0])
        except ValueError:
            amount = math.nan
        if math.isfinite(amount) and amount >= 0:
            return Money(amount=amount, unit=parts[1].upper())  # type: ignore[arg-type]
    raise ConfigError(
        f"{name}: {raw[:40]!r} is not an amount of money; write a number and a unit, e.g. "
        f"'2.50 USD' or '20 CNY' (allowed units: {', '.join(units)}). Credits are capped by "
        "SEEDANCE_MAX_CREDITS."
    )


def _model(env: Mapping[str, str]) -> str | None:
    """SEEDANCE_MODEL as a canonical model name, else `InvalidRequest` naming the known ones."""
    raw = env.get(MODEL_ENV, "").strip()
    if not raw:
        return None
    found = canonical_model(raw)
    if found is None:
        raise ConfigError(
            f"{MODEL_ENV}: {raw[:60]!r} is not a Seedance model; allowed: {', '.join(MODEL_NAMES)} "
            "(or a provider's own model id)."
        )
    return found


@dataclass(frozen=True, kw_only=True)
class Settings:
    env: Mapping[str, str] = field(repr=False)
    default_provider: str | None
    sandbox_forced: bool
    base_url: str | None
    output_dir: Path
    home: Path | None
    max_credits: float | None
    max_cost: Money | None
    poll_interval: float | None
    poll_initial_delay: float | None
    sandbox_speed: float
    retry_base_delay: float | None = None
    default_model: str | None = None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, sandbox: bool | None = None) -> Settings:
        source = usable_env(os.environ if env is None else env)
        provider = source.get("SEEDANCE_PROVIDER", "").strip().lower() or None
        if provider is not None:
            try:
                get_provider(provider)  # refuse an unknown id early, naming the allowed ones
            except UnknownProvider as err:
                raise UnknownProvider(
                    f"SEEDANCE_PROVIDER: {err.message.removeprefix('provider: ')}",
                    field="SEEDANCE_PROVIDER",
                    value=provider,
                    allowed=err.allowed,
                ) from None
        forced = sandbox if sandbox is not None else is_truthy(source.get("SEEDANCE_SANDBOX", ""))
        home = source.get("SEEDANCE_HOME", "").strip()
        # Speed 0 (the simulator's "done at the first poll") would make every scaled wait
        # and rate window zero; the smallest useful speed is any positive number, e.g. 0.001.
        speed = _number(source, "SEEDANCE_SANDBOX_SPEED", above=True)
        return cls(
            env=source,
            default_provider=provider,
            sandbox_forced=forced,
            base_url=source.get("SEEDANCE_BASE_URL", "").strip() or None,
            output_dir=Path(source.get("SEEDANCE_OUTPUT_DIR", "").strip() or DEFAULT_OUTPUT_DIR).expanduser(),
            home=Path(home).expanduser() if home else None,
            max_credits=_number(source, "SEEDANCE_MAX_CREDITS"),
            max_cost=_money(source, MAX_COST_ENV),
            poll_interval=_number(source, "SEEDANCE_POLL_INTERVAL", minimum=0.1),
            poll_initial_delay=_number(source, "SEEDANCE_POLL_INITIAL_DELAY"),
            sandbox_speed=DEFAULT_SANDBOX_SPEED if speed is None else speed,
            retry_base_delay=_number(source, "SEEDANCE_RETRY_BASE_DELAY", minimum=0.001),
            default_model=_model(source),
        )

    def key_var_set(self, provider: Provider) -> bool:
        return bool(self.env.get(provider.key_env, "").strip())

    def has_key(self, provider: Provider) -> bool:
        """Whether a key would serve this provider: its own variable or SEEDANCE_API_KEY."""
        return self._key(provider)[0] is not None

    def _key(self, provider: Provider) -> tuple[Secret | None, str | None]:
        for name in (provider.key_env, *provider.key_envs):
            own = self.env.get(name, "").strip()
            if own:
                return Secret(own), name
        generic = self.env.get(GENERIC_KEY_ENV, "").strip()
        if generic:
            return Secret(generic), GENERIC_KEY_ENV
        return None, None

    def target(self, provider: str | None = None, *, require_key: bool = True) -> Target:
        """Resolve where a job goes. `provider` is an explicit choice (CLI flag or tool argument).

        `require_key=False` (a dry run, which sends nothing) answers for a chosen provider
        without a key with its production target, keyless, instead of refusing.
        """
        chosen = (provider or "").strip().lower() or self.default_provider
        if self.sandbox_forced:
            return _sandbox_target(get_provider(chosen or SANDBOX_DEFAULT_PROVIDER), asked=True)
        if chosen:
            p = get_provider(chosen)
            key, key_env = self._key(p)
            if key is None and not require_key:
                return Target(
                    provider=p,
                    key=None,
                    key_env=None,
                    sandbox=False,
                    base_url=self.base_url,
                    notice=f"no key is set for {p.id}; a real submit needs {key_variables(p)}.",
                )
            if key is None:
                raise ConfigError(
                    f"provider {p.id} was chosen but no key is set: set {key_variables(p)}. "
                    "To try the flow without a key, set SEEDANCE_SANDBOX=1.",
                    code="missing_key",
                )
            return Target(provider=p, key=key, key_env=key_env, sandbox=False, base_url=self.base_url)
        for p in PROVIDERS.values():
            if self.key_var_set(p):
                key, key_env = self._key(p)
                return Target(provider=p, key=key, key_env=key_env, sandbox=False, base_url=self.base_url)
        # A variable shared by several providers (ARK_API_KEY) serves the first that reads it.
        for p in PROVIDERS.values():
            if any(self.env.get(name, "").strip() for name in p.key_envs):
                key, key_env = self._key(p)
                return Target(provider=p, key=key, key_env=key_env, sandbox=False, base_url=self.base_url)
        if self.env.get(GENERIC_KEY_ENV, "").strip():
            p = get_provider("seedance2ai")
            key, key_env = self._key(p)
            return Target(provider=p, key=key, key_env=key_env, sandbox=False, base_url=self.base_url)
        return _sandbox_target(get_provider(SANDBOX_DEFAULT_PROVIDER), asked=False)


def _sandbox_target(provider: Provider, *, asked: bool) -> Target:
    """The built-in simulator of `provider`: no key, no base URL override, and the notice why."""
    return Target(
        provider=provider,
        key=None,
        key_env=None,
        sandbox=True,
        base_url=None,
        notice=_sandbox_notice(provider, asked=asked),
    )


def _sandbox_notice(provider: Provider, *, asked: bool) -> str:
    why = " because it was asked for (--sandbox or SEEDANCE_SANDBOX=1)" if asked else ""
    return (
        f"This runs in sandbox mode{why}: the built-in simulator of {provider.id} answers on 127.0.0.1 and "
        f"nothing real is rendered; the clip is a placeholder. Set {provider.key_env} (or another "
        "provider's key) for real renders."
    )
