"""The agent skill: SKILL.md at the repository root plus skill/references/*.md.

Checked the way its readers check it: the Agent Skills reference validator (skills_ref, also
the `agentskills` command), a real YAML parser for the frontmatter (strictyaml, which like
the validator refuses flow style), and the facts it states against the code they come from.
"""

from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import skills_ref  # type: ignore[import-untyped]
import strictyaml  # type: ignore[import-untyped]

from seedance_mcp import errors
from seedance_mcp.cli.exits import EXIT_FAILED, exit_code_for
from seedance_mcp.cli.parser import build_parser
from seedance_mcp.models import JobStatus
from seedance_mcp.pricing import PRICE_TABLES, TOKEN_PRICES
from seedance_mcp.providers import PROVIDERS, ModelSpec, Provider, apixo, ark, seedance2ai

ROOT = Path(__file__).resolve().parent.parent
SKILL = ROOT / "SKILL.md"
REFERENCES = ROOT / "skill" / "references"
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")


def frontmatter() -> dict[str, Any]:
    text = SKILL.read_text(encoding="utf-8")
    assert text.startswith("---\n")
    block = text.split("---", 2)[1]
    data = strictyaml.load(block).data
    assert isinstance(data, dict)
    return data


def body() -> str:
    return SKILL.read_text(encoding="utf-8").split("---", 2)[2]


@pytest.fixture
def installed(tmp_path: Path) -> Path:
    """The repository as an agent installs it: a folder named after the skill."""
    link = tmp_path / "seedance"
    link.symlink_to(ROOT, target_is_directory=True)
    return link


def test_reference_validator_passes(installed: Path) -> None:
    assert skills_ref.validate(installed) == []


def test_reference_validator_cli_passes(installed: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "skills_ref.cli", "validate", str(installed)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Valid skill" in done.stdout


def test_repository_root_is_the_skill_folder() -> None:
    problems = skills_ref.validate(ROOT)
    if ROOT.name == "seedance":
        assert problems == []
    else:
        # Only the folder name differs; a clone into ~/.claude/skills/seedance fixes it.
        assert problems == [f"Directory name '{ROOT.name}' must match skill name 'seedance'"]


def test_skill_md_is_short() -> None:
    assert len(SKILL.read_text(encoding="utf-8").splitlines()) < 500


def test_frontmatter_fields() -> None:
    data = frontmatter()
    assert data["name"] == "seedance"
    assert 0 < len(data["description"]) <= 1024
    assert "sandbox" in data["description"]
    assert data["license"] == "MIT"
    assert len(data["compatibility"]) <= 500
    assert set(data) <= {"name", "description", "license", "compatibility", "metadata", "allowed-tools"}


def test_openclaw_metadata_is_a_nested_block() -> None:
    openclaw = frontmatter()["metadata"]["openclaw"]
    assert isinstance(openclaw, dict), "metadata.openclaw must be a mapping, not a JSON string"
    assert openclaw["primaryEnv"] == "SEEDANCE_API_KEY"
    assert openclaw["requires"]["bins"] == ["seedance"]
    assert openclaw["requires"]["env"] == ["SEEDANCE_API_KEY"]
    # OpenClaw's installers fetch by name (its `uv` kind takes a PyPI package name, no path or
    # URL); no package of this name is published, so an entry would install a stranger's code.
    assert "install" not in openclaw
    frontmatter_text = SKILL.read_text(encoding="utf-8").split("---", 2)[1]
    assert not re.search(r":\s*[\[{]", frontmatter_text), (
        "flow style ({...} or [...]) is refused by the validator"
    )


def test_every_key_variable_is_named() -> None:
    text = body()
    for provider in PROVIDERS.values():
        for name in (provider.key_env, *provider.key_envs):
            assert name in text, f"SKILL.md does not name {name} ({provider.id})"
    for name in ("SEEDANCE_API_KEY", "SEEDANCE_MODEL", "SEEDANCE_MAX_COST", "SEEDANCE_MAX_CREDITS"):
        assert name in text


def test_links_exist_and_stay_one_level_deep() -> None:
    links = [target for target in LINK.findall(body()) if not target.startswith(("http://", "https://", "#"))]
    assert links, "SKILL.md links to its references"
    for target in links:
        path = ROOT / target
        assert path.is_file(), f"SKILL.md links to missing {target}"
        assert path.parent in (REFERENCES, ROOT / "skill" / "scripts"), f"{target} is not one level deep"
    linked = {(ROOT / target).resolve() for target in links}
    for reference in REFERENCES.glob("*"):
        assert reference.resolve() in linked, f"{reference.name} is not linked from SKILL.md"
        assert reference.suffix == ".md" and reference.is_file()
        for target in LINK.findall(reference.read_text(encoding="utf-8")):
            assert target.startswith(("http://", "https://", "#")), f"{reference.name} links on to {target}"


def test_skill_teaches_the_whole_flow() -> None:
    text = body()
    for tool in (
        "write_cinematic_prompt",
        "estimate_credits",
        "generate_video",
        "check_status",
        "cancel_job",
        "list_providers",
    ):
        assert f"`{tool}" in text
    for step in ("Write the prompt", "check it", "estimate", "Generate", "Check status", "Hand over"):
        assert step in text
    assert "--json" in text and "wait_seconds" in text and "45" in text
    assert '"sandbox": true' in text and "Tell the user" in text
    for code in (*range(5), 130):
        assert f"{code} " in text
    assert "uv tool install ." in text
    assert not re.search(r"(uv tool|pipx|pip) install seedance-mcp", SKILL.read_text(encoding="utf-8"))


def _cli_options() -> dict[str, set[str]]:
    """Each command's options; a command with actions of its own (`film check`) is listed under
    `film check` too."""
    parser = build_parser()
    commands = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    found = {}
    for name, sub in commands.choices.items():
        found[name] = {option for action in sub._actions for option in action.option_strings}
        for action in sub._actions:
            if isinstance(action, argparse._SubParsersAction):
                for inner, p in action.choices.items():
                    found[f"{name} {inner}"] = {o for a in p._actions for o in a.option_strings}
    return found


def test_cli_commands_and_flags_in_the_docs_exist() -> None:
    options = _cli_options()
    texts = [SKILL.read_text(encoding="utf-8")] + [
        p.read_text(encoding="utf-8") for p in REFERENCES.glob("*.md")
    ]
    seen = 0
    for text in texts:
        # Inline code spans and fenced blocks (with their line continuations) hold the commands.
        spans = re.findall(r"```[a-z]*\n(.*?)```", text, re.DOTALL) + re.findall(r"`([^`\n]+)`", text)
        for span in spans:
            for command in span.replace("\\\n", " ").splitlines():
                found = re.search(r"\bseedance ([a-z]+)\b(.*)", command)
                if not found:
                    continue
                name, rest = found.groups()
                nested = re.match(r" ([a-z]+)\b(.*)", rest)
                if nested and f"{name} {nested.group(1)}" in options:
                    name, rest = f"{name} {nested.group(1)}", nested.group(2)
                assert name in options, f"`seedance {name}` is not a CLI command"
                for flag in re.findall(r"(?<![\w-])--[a-z][a-z-]*", rest):
                    assert flag in options[name], f"`seedance {name}` has no {flag}"
                seen += 1
    assert seen >= 10


def reference_tables(text: str) -> dict[str, tuple[list[str], list[list[str]]]]:
    """Each `## ` section's table: its header and its rows (the separator line left out)."""
    found: dict[str, tuple[list[str], list[list[str]]]] = {}
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip()
        elif line.startswith("|") and not re.fullmatch(r"[|\s:-]+", line):
            cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
            if section not in found:
                found[section] = (cells, [])
            else:
                found[section][1].append(cells)
    return found


def _span(durations: tuple[int, ...]) -> str:
    contiguous = len(durations) > 3 and list(durations) == list(range(durations[0], durations[-1] + 1))
    return f"{durations[0]}-{durations[-1]}" if contiguous else ", ".join(map(str, durations))


def _yes(flag: bool) -> str:
    return "yes" if flag else "no"


def _unit(provider: Provider) -> str:
    units = {price.unit for (pid, _), price in TOKEN_PRICES.items() if pid == provider.id}
    assert units <= {provider.unit}, f"{provider.id} charges in {provider.unit} but prices in {units}"
    return provider.unit


def _cancel_while(provider: Provider) -> str:
    if provider.cancel_request("task", {}) is None:
        return "no"
    return "while " + " or ".join(sorted(s.value for s in provider.cancellable))


def _money_rows(provider: Provider, spec: ModelSpec) -> list[list[str]]:
    """The rows of one token-priced (provider, model): one per group of resolutions that share
    their prices ("any" when all do); "not published" where there is no price."""
    price = TOKEN_PRICES.get((provider.id, spec.name))
    caps = spec.caps
    unit = _unit(provider)

    def cells(resolution: str) -> list[str]:
        silent = price.per_million(resolution, False) if price else None
        sound = price.per_million(resolution, True) if price else None
        if silent is None:
            flex = "not published" if caps.flex else "none"
            return ["not published", "not published" if caps.audio else "no sound", flex]
        assert price is not None and sound is not None
        with_audio = f"{sound:g}" if caps.audio else "no sound"
        if not caps.flex:
            flex = "none"
        elif caps.audio:
            flex = f"{silent * price.flex_factor:g} / {sound * price.flex_factor:g}"
        else:
            flex = f"{silent * price.flex_factor:g}"
        return [f"{silent:g}", with_audio, flex]

    groups: dict[tuple[str, ...], list[str]] = {}
    for resolution in caps.resolutions:
        groups.setdefault(tuple(cells(resolution)), []).append(resolution)
    if len(groups) == 1:
        [values] = groups
        return [[provider.id, spec.name, "any", unit, *values]]
    return [[provider.id, spec.name, ", ".join(res), unit, *values] for values, res in groups.items()]


def test_providers_reference_matches_the_code() -> None:
    """Every table of providers-and-prices.md, row for row, against the registry and the prices."""
    text = (REFERENCES / "providers-and-prices.md").read_text(encoding="utf-8")
    tables = reference_tables(text)

    header, rows = tables["Providers"]
    assert header == ["provider", "key variable", "price unit", "default model", "cancel", "safe re-send"]
    expected = [
        [
            pid,
            " or ".join(f"`{name}`" for name in (p.key_env, *p.key_envs)),
            _unit(p),
            p.default_model.name,
            _cancel_while(p),
            _yes(p.caps.idempotency),
        ]
        for pid, p in PROVIDERS.items()
    ]
    assert rows == expected

    header, rows = tables["Models: what each accepts"]
    assert header == [
        "provider",
        "model",
        "durations (s)",
        "default (s)",
        "resolutions",
        "aspect ratios",
        "prompt limit (chars)",
        "end frame",
        "seed",
        "audio",
        "fixed lens",
        "flex",
    ]
    expected = []
    for pid, p in PROVIDERS.items():
        for spec in p.models:
            caps = spec.caps
            expected.append(
                [
                    pid,
                    spec.name,
                    _span(caps.durations),
                    str(caps.default_duration),
                    ", ".join(caps.resolutions) or "(not chosen)",
                    ", ".join(caps.aspect_ratios),
                    str(caps.prompt_max),
                    *(
                        _yes(flag)
                        for flag in (caps.end_image, caps.seed, caps.audio, caps.fixed_lens, caps.flex)
                    ),
                ]
            )
    assert rows == expected
    # The sentence below the table names, in registry order, every model that takes no start
    # image (and says "every model" only when there is none).
    no_start = [
        f"{pid}'s {spec.name}"
        for pid, p in PROVIDERS.items()
        for spec in p.models
        if not spec.caps.start_image
    ]
    sentence = (
        f"Every model but {', '.join(no_start)} takes a start image"
        if no_start
        else "Every model takes a start image"
    )
    assert sentence in " ".join(text.split()), f"the reference should say: {sentence}"

    header, rows = tables["Money prices (per million output tokens)"]
    assert header == [
        "provider",
        "model",
        "resolution",
        "unit",
        "silent",
        "with audio",
        "flex (silent / audio)",
    ]
    money = sorted({pid for pid, _ in TOKEN_PRICES}, key=list(PROVIDERS).index)
    expected = [
        row for pid in money for spec in PROVIDERS[pid].models for row in _money_rows(PROVIDERS[pid], spec)
    ]
    assert rows == expected
    for price in TOKEN_PRICES.values():
        for date in re.findall(r"\d{4}-\d{2}-\d{2}", price.source):
            assert date in text, f"the reference does not date its money prices ({date})"
        if price.source.startswith("third-party"):
            assert "third-party" in text

    header, rows = tables["Credit prices (credits per clip)"]
    assert header == ["provider", "model", "resolution", "seconds", "silent", "with audio"]
    expected = []
    for pid, table in PRICE_TABLES.items():
        for (resolution, seconds, audio), credits in table.cells.items():
            if not audio:
                with_audio = table.cells[(resolution, seconds, True)]
                expected.append(
                    [pid, table.model, resolution or "-", str(seconds), str(credits), str(with_audio)]
                )
    for pid, p in PROVIDERS.items():
        if pid not in PRICE_TABLES and _unit(p) == "credits":
            expected += [
                [pid, spec.name, "any", "any", "not published", "not published"] for spec in p.models
            ]
    assert rows == expected


# Codes set from a value at run time: where, and what they can be.
DYNAMIC_CODES: dict[tuple[str, str], Callable[[], set[str]]] = {
    # A SeedanceError copied onto a job keeps its own code, counted with its class.
    ("engine/notices.py", "err.code"): set,
    # apixo's failCode, lowercased; the known ones get advice of their own.
    ("providers/apixo.py", "code.lower() if code else 'generation_failed'"): lambda: {
        code.lower() for code in apixo._FAIL_ADVICE
    },
    # seedance2ai's own error code (lowercased, any word: the "another lowercase word" row).
    ("providers/seedance2ai.py", "code or 'generation_failed'"): set,
    ("providers/seedance2ai.py", "word"): lambda: {
        seedance2ai._job_error({}, status).code for status in (JobStatus.CANCELLED, JobStatus.EXPIRED)
    },
    # Ark's own error.code on a failed, expired or cancelled task, as sent (any word: the
    # "another word" row); the moderation codes get advice of their own.
    ("providers/ark.py", "code or 'generation_failed'"): lambda: set(ark._SENSITIVE),
    ("providers/ark.py", "code or 'expired'"): set,
    ("providers/ark.py", "code or 'cancelled'"): set,
    # fal's error_type on a failed request, as sent (any word: the "another word" row).
    ("providers/fal.py", "code or 'generation_failed'"): set,
    # A download's codes name what it saves: a video or a picture (`seedance image`).
    ("download.py", "media.refused"): lambda: {"video_url_refused", "image_url_refused"},
    ("download.py", "media.expired"): lambda: {"video_url_expired", "image_url_expired"},
    ("download.py", "media.not_it"): lambda: {"not_a_video", "not_an_image"},
    # An image job's error copied from the SeedanceError it met, counted with its class.
    ("images/runner.py", "err.code"): set,
}


def _error_class(name: str) -> type[errors.SeedanceError] | None:
    cls = getattr(errors, name, None)
    return cls if isinstance(cls, type) and issubclass(cls, errors.SeedanceError) else None


def produced_codes() -> dict[str, int]:
    """Every code the package can produce -> the exit code `seedance` ends with for it.

    From the error classes, then from every `code=` passed where an error or a job error is
    built: a literal is read from the source, a value computed at run time must be listed in
    DYNAMIC_CODES (a new one fails here until it is)."""
    produced: dict[str, int] = {}

    def add(code: str, exit_code: int) -> None:
        assert produced.setdefault(code, exit_code) == exit_code, f"{code} ends with two exit codes"

    pending = list(errors.SeedanceError.__subclasses__())
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        add(cls.code, exit_code_for(cls("message")))
    package = ROOT / "seedance_mcp"
    for path in sorted(package.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else getattr(node.func, "attr", "")
            cls = _error_class(name)
            if cls is None and name != "JobError":
                continue
            for keyword in (k for k in node.keywords if k.arg == "code"):
                where = f"{path.relative_to(package)}:{node.lineno}"
                literals = [
                    c.value
                    for c in ast.walk(keyword.value)
                    if isinstance(c, ast.Constant) and isinstance(c.value, str)
                ]
                codes = set(literals)
                if not isinstance(keyword.value, ast.Constant):
                    key = (str(path.relative_to(package)), ast.unparse(keyword.value))
                    assert key in DYNAMIC_CODES, (
                        f"{where}: code={key[1]} is computed; list it in DYNAMIC_CODES"
                    )
                    codes |= DYNAMIC_CODES[key]()
                for code in codes:
                    add(code, exit_code_for(cls("message", code=code)) if cls else EXIT_FAILED)
    return produced


def troubleshooting_codes() -> dict[str, int]:
    """The codes the troubleshooting tables explain -> the exit code of the section they are in."""
    text = (REFERENCES / "troubleshooting.md").read_text(encoding="utf-8")
    documented: dict[str, int] = {}
    section_exit: int | None = None
    for line in text.splitlines():
        heading = re.match(r"^## .*\(exit (\d+)\)", line)
        if line.startswith("## "):
            section_exit = int(heading.group(1)) if heading else None
        elif line.startswith("| `") and section_exit is not None:
            for code in re.findall(r"`([A-Za-z][A-Za-z_.]*)`", line.split("|")[1]):
                assert code not in documented, f"{code} is explained twice"
                documented[code] = section_exit
    return documented


def test_troubleshooting_explains_exactly_the_codes_the_code_produces() -> None:
    produced = produced_codes()
    assert {"missing_key", "rate_budget", "video_url_expired", "not_a_video", "submit_interrupted"} <= set(
        produced
    )
    documented = troubleshooting_codes()
    missing = sorted(set(produced) - set(documented))
    assert not missing, f"troubleshooting.md does not explain {missing}"
    unknown = sorted(set(documented) - set(produced))
    assert not unknown, f"troubleshooting.md explains codes nothing returns: {unknown}"
    wrong = {
        code: (documented[code], exit_code)
        for code, exit_code in produced.items()
        if documented[code] != exit_code
    }
    assert not wrong, f"listed under the wrong exit code (documented, actual): {wrong}"


def test_troubleshooting_lists_every_exit_code() -> None:
    text = (REFERENCES / "troubleshooting.md").read_text(encoding="utf-8")
    for exit_code in (*range(5), 130):
        assert re.search(rf"^\| {exit_code} \|", text, re.MULTILINE)
