"""The prompt-craft guide (skill/references/prompt-craft.md): its examples pass the linter with
the settings they name, it is served to agents without the skill as an MCP resource, and
SKILL.md and the tool's own description send the agent to it and to the linter.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from mcp.client import Client

from seedance_mcp.craft.library import prompts_dir
from seedance_mcp.craft.lint import lint_prompt
from seedance_mcp.engine import Service
from seedance_mcp.server import build_server, craft_tools
from seedance_mcp.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "skill" / "references" / "prompt-craft.md"
EXAMPLE = re.compile(r"<!-- lint: (?P<settings>.*?) -->\n```text\n(?P<prompt>.*?)\n```", re.DOTALL)


def _settings(line: str) -> dict[str, Any]:
    settings: dict[str, Any] = {}
    for pair in line.split():
        key, _, value = pair.partition("=")
        settings[key] = int(value) if value.isdigit() else {"true": True, "false": False}.get(value, value)
    return settings


EXAMPLES = [
    (m.group("prompt"), _settings(m.group("settings"))) for m in EXAMPLE.finditer(GUIDE.read_text("utf-8"))
]


def test_the_guide_has_six_to_eight_examples_in_english_and_chinese() -> None:
    assert 6 <= len(EXAMPLES) <= 8
    chinese = [p for p, _ in EXAMPLES if re.search(r"[\u4e00-\u9fff]", p)]
    assert len(chinese) >= 2 and len(EXAMPLES) - len(chinese) >= 3


@pytest.mark.parametrize(
    ("prompt", "settings"), EXAMPLES, ids=[f"example{i}" for i in range(1, len(EXAMPLES) + 1)]
)
def test_every_example_passes_the_linter(prompt: str, settings: dict[str, Any]) -> None:
    assert lint_prompt(prompt, **settings) == []


def test_the_shipped_guide_is_the_skills_guide() -> None:
    assert (Path(str(prompts_dir())) / "prompt-craft.md").read_bytes() == GUIDE.read_bytes()


@pytest.mark.anyio
async def test_the_guide_is_an_mcp_resource(tmp_path: Path) -> None:
    env = {"SEEDANCE_SANDBOX": "1", "SEEDANCE_HOME": str(tmp_path)}
    async with Client(build_server(lambda: Service(settings=Settings.from_env(env)))) as client:
        listed = {str(r.uri): r for r in (await client.list_resources()).resources}
        read = await client.read_resource(craft_tools.GUIDE_URI)
        tools = {t.name: t for t in (await client.list_tools()).tools}
    assert craft_tools.GUIDE_URI in listed and listed[craft_tools.GUIDE_URI].mime_type == "text/markdown"
    assert read.contents[0].text == GUIDE.read_text(encoding="utf-8")  # type: ignore[union-attr]
    description = tools["write_cinematic_prompt"].description or ""
    assert craft_tools.GUIDE_URI in description and "lint" in description
    assert "never invents" in description


def test_skill_first_step_is_write_then_lint() -> None:
    skill = (ROOT / "SKILL.md").read_text(encoding="utf-8")
    step = skill[skill.index("## 1.") : skill.index("## 2.")]
    assert "skill/references/prompt-craft.md" in step
    assert step.index("prompt-craft.md") < step.index("lint")
    assert "composer" in step
