"""The shapes of the MCP surface: the provider choice the tools accept, the models they
return (their output schemas), and how a tool is published: its annotations, its title, its
description and the `CheckedTool` that checks its arguments and redacts its answer.

One job has one shape everywhere: `JobResult` (the Job, its resource URI, the next step and
a readable headline) is what `generate_video` and `check_status` return, what the job
resource holds, and each entry of `list_jobs`.

Light on purpose (pydantic and the core models only): the server imports this at start-up.
The prompt tool returns the craft's own `PromptDraft` and `LintWarning`, which are as light.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Literal

from mcp_types import ToolAnnotations
from pydantic import BaseModel, Field

from ..craft.models import LintWarning, PromptDraft
from ..images.models import ImageJob
from ..models import MODEL_NAMES, CreditEstimate, Job, ProviderInfo
from ..providers import PROVIDER_IDS
from .calls import CheckedTool

if TYPE_CHECKING:
    from mcp.server.mcpserver.tools import Tool

__all__ = [
    "MODEL_DESCRIPTION",
    "MODEL_MAX_CHARS",
    "READ_ONLY",
    "EstimateReport",
    "ImageResult",
    "JobList",
    "JobResult",
    "PromptResult",
    "ProviderId",
    "ProviderReport",
    "checked_tool",
    "read_only",
]

if TYPE_CHECKING:
    ProviderId = str
else:
    # The registry is the one list of ids: Literal[("a", "b")] is Literal["a", "b"], so the
    # tools' JSON schemas offer exactly the registered providers as an enum.
    ProviderId = Literal[PROVIDER_IDS]


MODEL_MAX_CHARS = 200
"""A model name or a provider's own model id, as the tools take it: far longer than any id."""
MODEL_DESCRIPTION = (
    f"Seedance model: {', '.join(MODEL_NAMES)}, or a provider's own id for one "
    "(e.g. seedance-1-5-pro-251215); empty: SEEDANCE_MODEL if set, else the provider's default model. "
    f"At most {MODEL_MAX_CHARS} characters."
)
"""How the tools describe `model` (each adds what it does with it)."""


class JobResult(Job):
    """A job as the ledger stores it, plus where to read it, what to do next and a headline."""

    resource_uri: str = Field(description="MCP resource with this job's JSON (seedance://jobs/<job_id>).")
    next_step: str = Field(description="What the agent should do next, in one or two sentences.")
    message: str = Field(
        description="The job in one readable line: id, provider, model, status, cost in its unit."
    )


class JobList(BaseModel):
    jobs: list[JobResult] = Field(description="Saved jobs, newest first, each in the one job shape.")
    message: str


class EstimateReport(BaseModel):
    estimates: list[CreditEstimate] = Field(
        description="One per (provider, model): amount in unit (credits, USD or CNY), or null with the "
        "reason; a comparison is ranked cheapest first within each unit, never across units."
    )
    duration_compared: int | None = Field(
        default=None, description="The one length a comparison priced every model at (null: one estimate)."
    )
    message: str


class ProviderReport(BaseModel):
    providers: list[ProviderInfo]
    default_provider: str | None = Field(description="Where generate_video goes when no provider is given.")
    model: str | None = Field(
        default=None, description="The model the list is filtered by (only providers that serve it)."
    )
    sandbox: bool = Field(description="True when no key is set: renders come from the built-in simulator.")
    message: str


class PromptResult(BaseModel):
    draft: PromptDraft | None = Field(
        default=None, description="The drafted prompt (when an idea was given)."
    )
    lint_warnings: list[LintWarning] = Field(
        default_factory=list, description="Problems found in the text passed as `lint`."
    )
    next_step: str


READ_ONLY = ToolAnnotations(  # the annotations of a tool that only reads
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)


def read_only(title: str) -> ToolAnnotations:
    """The annotations of a tool that only reads, under `title`."""
    return READ_ONLY.model_copy(update={"title": title})


def checked_tool(tool: Callable[..., Any], annotations: ToolAnnotations) -> Tool:
    """`tool` as the server publishes it: under its annotations' title, described by its
    docstring, its arguments checked and its answer redacted (`CheckedTool`).

    The description is the docstring without its source indentation (`inspect.cleandoc`), so
    an agent reads plain paragraphs rather than Python's layout.
    """
    description = inspect.cleandoc(tool.__doc__ or "")
    return CheckedTool.from_function(
        tool, title=annotations.title, description=description, annotations=annotations
    )


# ---- image jobs (server/image_tools.py) ---------------------------------------------------


class ImageResult(ImageJob):
    """An image job as the ledger stores it, plus its picture URLs and paths, what to do next and
    a headline."""

    image_urls: list[str] = Field(
        description="The pictures' URLs, public https: each can be generate_video's image_url at once."
    )
    image_paths: list[str] = Field(description="The saved, verified PNG/JPEG files on disk.")
    next_step: str = Field(description="What the agent should do next, in one or two sentences.")
    message: str = Field(description="The job in one readable line: id, model, status, pictures, cost.")
