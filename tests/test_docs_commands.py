"""Every command the README, SKILL.md and skill/references show, run exactly as written.

The rule: a fenced block whose info string is `sh`, `bash` or `shell` is a block
of commands meant to be typed, so it is run. Blocks in another language (`json`, `toml`,
`text`) or in none (usage synopses with placeholders) are not commands and are not run; a
command that is meant to be typed must therefore sit in an `sh`/`bash` block, and a synopsis
must not.

Each block runs as one `bash` script (`set -e`: any failing line fails the test), as a
newcomer runs it from a fresh clone of the repository:

- the working directory is a fresh git repository holding the project's files (tracked and
  new, not ignored), like the clone the README starts from;
- `HOME` and `SEEDANCE_HOME` are empty temporary folders, the environment holds no provider
  key (so the project runs in sandbox mode), and the proxy variables point at a closed port,
  so nothing reaches the internet;
- `PATH` holds the bin folder of the environment running this test (it provides the
  `seedance` and `seedance-mcp` commands, as `uv tool install .` does for a user), then
  `claude` (below), then the system folders.

A command that cannot run here is listed in `NOT_RUN` with its reason; a listed command that
no document shows any more fails the test, so the list cannot go stale. The few blocks that
need more than an exit status (a server that must accept connections, the Claude Code check,
the installed skill) are checked by name below.

Two tools come from outside the project, and `bash .ci/run` provides both:

- **Claude Code**, for the README's `claude mcp add ...` and `claude mcp list` (which starts
  the stdio server and reports it connected; no account is needed). The test uses the binary
  named by `SEEDANCE_TEST_CLAUDE`, else `claude` on `PATH`. Locally:
  `npm install --prefix ~/.cache/seedance-claude @anthropic-ai/claude-code` and
  `export SEEDANCE_TEST_CLAUDE=~/.cache/seedance-claude/node_modules/.bin/claude`.
- **A wheelhouse** for the quick start's `pip install .`, which runs offline with
  `PIP_NO_INDEX=1` and `PIP_FIND_LINKS=$SEEDANCE_TEST_WHEELHOUSE`. Build one with
  `pip wheel -w DIR . hatchling`.

Without them the blocks that need them are skipped, except in CI (`CI` set), where they fail.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import skills_ref  # type: ignore[import-untyped]

ROOT = Path(__file__).resolve().parent.parent
DOCUMENTS = [ROOT / "README.md", ROOT / "SKILL.md", *sorted((ROOT / "skill" / "references").glob("*.md"))]
RUN_LANGUAGES = {"sh", "bash", "shell"}
FENCE = re.compile(r"^```([\w-]*)\s*$")

PYPI = "installs from PyPI, which no test may reach"
OPENCLAW = "needs OpenClaw, which CI does not install"
CI_RUNS_IT = "`bash .ci/run` runs each of these commands itself, before pytest (checked below)"

NOT_RUN: dict[str, str] = {
    # The prefix of a command (whitespace collapsed) -> why the test does not run it.
    'python3 -m venv .venv-test && .venv-test/bin/pip install ".[test]"': (
        "the quick start's test command: it runs this very test suite (`bash .ci/run` runs it)"
    ),
    "uv tool install .": PYPI + "; the test's PATH holds the same two commands instead",
    'pip install -e ".[test]"': PYPI + ", into the environment running this test",
    "pytest": "runs the suite this test belongs to (`bash .ci/run` runs it)",
    "ruff check . && ruff format --check . && mypy": CI_RUNS_IT,
    "bash .ci/run": "CI itself: it runs this test",
    "openclaw ": OPENCLAW,
}

# Commands that also need a setting to run here (a pattern, the setting, and why the command
# itself stays as written). The setting applies to the whole block that holds the command.
EXTRA_ENV: list[tuple[str, dict[str, str], str]] = [
    (
        r"export BYTEPLUS_API_KEY=\.\.\.",
        {"SEEDANCE_SANDBOX": "1"},
        "the block sets a placeholder key; SEEDANCE_SANDBOX=1 keeps it on the built-in simulator",
    ),
    (
        r"seedance generate .*--provider ",
        {"SEEDANCE_SANDBOX": "1"},
        "it names a provider, which without that provider's key is refused by design "
        "(never a silent switch to the sandbox); SEEDANCE_SANDBOX=1 asks for the simulator",
    ),
]

# Commands that serve until stopped: started, checked to accept connections, then stopped.
SERVERS = ("seedance-mcp --transport streamable-http",)


@dataclass(frozen=True)
class Block:
    document: Path
    line: int
    language: str
    text: str

    @property
    def id(self) -> str:
        return f"{self.document.relative_to(ROOT)}:{self.line}"

    def commands(self) -> list[str]:
        """The logical commands: continuation lines joined, whitespace collapsed, comments kept."""
        return [command for command, _lines in logical_lines(self.text)]


def logical_lines(text: str) -> list[tuple[str, list[str]]]:
    """Each command of a block with the lines it spans; blank and comment lines are left out."""
    found: list[tuple[str, list[str]]] = []
    pending: list[str] = []
    for line in text.splitlines():
        pending.append(line)
        if line.endswith("\\"):
            continue
        command = " ".join(" ".join(part.removesuffix("\\") for part in pending).split())
        if command and not command.startswith("#"):
            found.append((command, pending))
        pending = []
    return found


def blocks(document: Path) -> Iterator[Block]:
    language: str | None = None
    start = 0
    body: list[str] = []
    for number, line in enumerate(document.read_text(encoding="utf-8").splitlines(), start=1):
        fence = FENCE.match(line)
        if language is None and fence:
            language, start, body = fence.group(1), number, []
        elif language is not None and line.startswith("```"):
            yield Block(document, start, language, "\n".join(body) + "\n")
            language = None
        elif language is not None:
            body.append(line)
    assert language is None, f"{document.name}: unclosed code block at line {start}"


RUNNABLE = [block for document in DOCUMENTS for block in blocks(document) if block.language in RUN_LANGUAGES]


def not_run_reason(command: str) -> str | None:
    return next((reason for prefix, reason in NOT_RUN.items() if command.startswith(prefix)), None)


def runnable_script(block: Block) -> str:
    """The block without the commands listed in NOT_RUN or SERVERS (the rest kept verbatim)."""
    kept = [
        line
        for command, lines in logical_lines(block.text)
        if not_run_reason(command) is None and not command.startswith(SERVERS)
        for line in lines
    ]
    return "\n".join(kept) + "\n"


def unavailable(what: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing in CI: `bash .ci/run` installs it")
    pytest.skip(f"{what} is not available here (see this module's docstring)")


def claude_binary() -> str | None:
    named = os.environ.get("SEEDANCE_TEST_CLAUDE")
    if named:
        return named if Path(named).is_file() else None
    return shutil.which("claude")


@pytest.fixture
def clone(tmp_path: Path) -> Path:
    """A fresh clone: the project's files (tracked and new, not ignored) in a new git repository."""
    target = tmp_path / "clone"
    target.mkdir()
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    git = ["git", "-c", "user.name=newcomer", "-c", "user.email=newcomer@example.invalid"]
    subprocess.run(["git", "init", "-q"], cwd=target, check=True)
    subprocess.run(["git", "add", "-A"], cwd=target, check=True)
    subprocess.run([*git, "commit", "-qm", "clone"], cwd=target, check=True)
    return target


def environment(home: Path, tools: Path) -> dict[str, str]:
    dead = "http://127.0.0.1:9"  # nothing listens there: any request to the internet fails at once
    env = {
        "HOME": str(home),
        "SEEDANCE_HOME": str(home / "seedance-home"),
        "PATH": os.pathsep.join(
            [
                str(home / ".local" / "bin"),
                str(Path(sys.executable).parent),
                str(tools),
                "/usr/local/bin",
                "/usr/bin",
                "/bin",
            ]
        ),
        "LANG": "C.UTF-8",
        "TMPDIR": os.environ.get("TMPDIR", "/tmp"),
        "SEEDANCE_SANDBOX_SPEED": "0.01",
        "HTTP_PROXY": dead,
        "HTTPS_PROXY": dead,
        "ALL_PROXY": dead,
        "http_proxy": dead,
        "https_proxy": dead,
        "NO_PROXY": "127.0.0.1,localhost",
        "no_proxy": "127.0.0.1,localhost",
        "PIP_NO_INDEX": "1",
        "PIP_DISABLE_PIP_VERSION_CHECK": "1",
        "DISABLE_AUTOUPDATER": "1",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    wheelhouse = os.environ.get("SEEDANCE_TEST_WHEELHOUSE")
    if wheelhouse:
        env["PIP_FIND_LINKS"] = wheelhouse
    return env


def port_of(command: str) -> int:
    found = re.search(r"--port (\d+)", command)
    assert found, f"a server command names its port: {command}"
    return int(found.group(1))


def serve_briefly(command: str, cwd: Path, env: dict[str, str]) -> None:
    port = port_of(command)
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", port))  # fails loudly if something else already listens there
    log = cwd.parent / "server.log"
    with (
        log.open("wb") as sink,
        subprocess.Popen(
            ["bash", "-c", command], cwd=cwd, env=env, stdout=sink, stderr=sink, start_new_session=True
        ) as server,
    ):
        try:
            deadline = time.monotonic() + 60
            while True:
                assert server.poll() is None, f"`{command}` stopped:\n{log.read_text()}"
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    assert time.monotonic() < deadline, f"`{command}` did not listen on port {port}"
                    time.sleep(0.2)
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)


def check_claude_connected(block: Block, out: str, home: Path, cwd: Path) -> None:
    line = next((line for line in out.splitlines() if line.startswith("seedance:")), None)
    assert line is not None, f"`claude mcp list` does not list seedance:\n{out}"
    assert "Connected" in line, f"Claude Code could not start the server:\n{out}"


def check_skill_installed(block: Block, out: str, home: Path, cwd: Path) -> None:
    [target] = re.findall(r"~/(\S+/skills/seedance)", block.text)
    installed = home / target
    assert (installed / "SKILL.md").is_file()
    assert skills_ref.validate(installed) == []


def check_demo_video(block: Block, out: str, home: Path, cwd: Path) -> None:
    assert list((cwd / "seedance-videos").glob("*.mp4")), f"the demo saved no MP4:\n{out}"


# A command in a block -> what must be true after the block ran, beyond its exit status.
CHECKS: dict[str, Callable[[Block, str, Path, Path], None]] = {
    "claude mcp list": check_claude_connected,
    'git clone "$PWD" ~/': check_skill_installed,
    "python3 -m venv .venv && . .venv/bin/activate && pip install . && seedance demo": check_demo_video,
}


@pytest.mark.timeout(300)
@pytest.mark.parametrize("block", RUNNABLE, ids=[block.id for block in RUNNABLE])
def test_documented_commands_run(block: Block, clone: Path, tmp_path: Path) -> None:
    commands = block.commands()
    home = tmp_path / "home"
    home.mkdir()
    tools = tmp_path / "tools"
    tools.mkdir()
    if any(command.startswith("claude ") for command in commands):
        claude = claude_binary()
        if claude is None:
            unavailable("Claude Code (`claude`)")
        (tools / "claude").symlink_to(Path(claude).resolve())
    env = environment(home, tools)
    installs = any(re.search(r"\bpip install \.(\s|$)", command) for command in commands)
    if installs and "PIP_FIND_LINKS" not in env:
        unavailable("the wheelhouse (SEEDANCE_TEST_WHEELHOUSE)")
    for pattern, extra, _reason in EXTRA_ENV:
        if any(re.match(pattern, command) for command in commands):
            env.update(extra)

    for command in commands:
        if command.startswith(SERVERS):
            serve_briefly(command, clone, env)
    script = runnable_script(block)
    done = subprocess.run(
        ["bash", "-c", "set -e\n" + script],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=280,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, f"{block.id} failed (exit {done.returncode}):\n{script}\n{output[-4000:]}"
    for prefix, check in CHECKS.items():
        if any(command.startswith(prefix) for command in commands):
            check(block, done.stdout, home, clone)


def test_the_rule_finds_the_commands() -> None:
    ids = {block.id.split(":")[0] for block in RUNNABLE}
    assert {"README.md", "SKILL.md"} <= ids
    commands = [command for block in RUNNABLE for command in block.commands()]
    for needed in ("seedance demo", "claude mcp add seedance", "claude mcp list", "seedance generate"):
        assert any(needed in command for command in commands), f"no runnable block shows {needed}"


def test_every_exception_is_still_shown_and_has_a_reason() -> None:
    commands = [command for block in RUNNABLE for command in block.commands()]
    listed = {
        **NOT_RUN,
        **{prefix: "checked" for prefix in CHECKS},
        **{prefix: "served" for prefix in SERVERS},
    }
    for prefix, reason in listed.items():
        assert reason.strip()
        assert any(command.startswith(prefix) for command in commands), f"no document shows `{prefix}`"
    for pattern, extra, reason in EXTRA_ENV:
        assert reason.strip() and extra
        assert any(re.match(pattern, command) for command in commands), f"no document shows `{pattern}`"


def test_what_ci_runs_instead_is_in_ci() -> None:
    ci = {line.strip() for line in (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()}
    for prefix, reason in NOT_RUN.items():
        if reason == CI_RUNS_IT:
            for part in prefix.split(" && "):
                assert part in ci, f".ci/run does not run `{part}`"


def test_no_runnable_block_holds_a_placeholder() -> None:
    """`<repo-url>`, `PROMPT` or `[--audio]` in a block meant to be typed is a command that cannot work."""
    for block in RUNNABLE:
        for command in block.commands():
            if not_run_reason(command) is not None:
                continue
            code = command.split(" #")[0]
            placeholder = r"<[a-z-]+>|\[--|\b(PROMPT|IDEA|TEXT|JOB_ID|URL|P)\b"
            assert not re.search(placeholder, code), f"{block.id}: placeholder in `{command}`"
