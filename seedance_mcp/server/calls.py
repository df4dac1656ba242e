"""A tool call as this server runs it: the arguments checked before the tool runs, and what
comes back redacted.

`CheckedTool` is the SDK's `Tool` with two changes, made once for every tool:

- Arguments are checked by name and by the input schema first. An unknown name (a typo such
  as `resolutoin`) is refused with the nearest accepted name and the full list, instead of
  being dropped; a value the schema refuses comes back as one line per field naming the
  field, the value and what is allowed, instead of pydantic's text and its documentation URL.
  Either way the tool does not run, so nothing is submitted.
- The result, and the text of any error, pass through the runtime's redaction, so no tool,
  present or future, can hand a configured key value back.
- Text meant for reading (the result's text blocks, an error's text) has its control
  characters shown escaped (`printable`), so a provider's terminal escape codes in a task
  id or an error message are not passed on raw; the structured content is data, unchanged.
- An exception no tool anticipated (a bug, a library's bare `ValueError`) still reaches the
  agent as a readable error that names the tool, what went wrong and what to do next, never
  an empty text or a traceback; the traceback goes to the server's log (stderr), redacted.
"""

from __future__ import annotations

import difflib
import json
import logging
import traceback
from typing import TYPE_CHECKING, Any

from mcp.server.mcpserver.exceptions import ToolError, UnexpectedToolError
from mcp.server.mcpserver.tools import Tool
from mcp_types import CallToolResult
from pydantic import ValidationError

from ..plural import count
from ..printable import printable, printable_json
from .runtime import Runtime

if TYPE_CHECKING:
    from mcp.server.mcpserver import Context

__all__ = ["CheckedTool", "argument_error", "describe_allowed", "unknown_arguments"]

log = logging.getLogger("seedance_mcp.server")

_VALUE_CHARS = 80
"""A refused value is quoted up to this many characters."""
_CRASH_CHARS = 300
"""An unexpected exception's own text is shown up to this many characters."""


class CheckedTool(Tool):
    """A tool whose arguments are checked before it runs and whose answer is redacted."""

    async def run(
        self, arguments: dict[str, Any], context: Context[Any, Any], convert_result: bool = False
    ) -> Any:
        runtime = _runtime_of(context)
        try:
            self._check(arguments)
            result = await super().run(arguments, context, convert_result=convert_result)
        except UnexpectedToolError as exc:
            raise self._crash(exc, runtime) from None
        except ToolError as exc:
            text = printable(runtime.redact(str(exc)))
            if text == str(exc):
                raise
            # the SDK logs the cause: kept, so a refused argument is logged by field name only
            raise type(exc)(text) from exc.__cause__
        if isinstance(result, CallToolResult):
            data = runtime.redact_data(result.model_dump(mode="json", by_alias=True, exclude_none=True))
            for block in data.get("content", []):
                if block.get("type") == "text":
                    block["text"] = _readable(block["text"])
            return CallToolResult.model_validate(data)
        return runtime.redact_data(result)

    def _check(self, arguments: dict[str, Any]) -> None:
        accepted = list(self.parameters.get("properties", {}))
        lines = unknown_arguments(self.name, arguments, accepted)
        try:
            self.fn_metadata.validate_arguments(arguments)
        except ValidationError as err:
            lines += argument_error(err, arguments, self.parameters)
            raise ToolError(self._refusal(lines)) from err
        if lines:
            raise ToolError(self._refusal(lines))

    def _crash(self, exc: UnexpectedToolError, runtime: Runtime) -> ToolError:
        """An exception the tool did not anticipate, as an error the agent can act on: the
        tool, the exception's kind and text (redacted, shortened) and the next step; the
        traceback, redacted, goes to the log."""
        cause = exc.__cause__ if exc.__cause__ is not None else exc
        trace = "".join(traceback.format_exception(cause))
        log.error("Tool %r failed unexpectedly:\n%s", self.name, runtime.redact(trace))
        what = type(cause).__name__
        detail = " ".join(str(cause).split())
        if detail:
            if len(detail) > _CRASH_CHARS:
                detail = detail[: _CRASH_CHARS - 3] + "..."
            what += f": {detail}"
        if self.annotations is not None and self.annotations.read_only_hint:
            step = "Nothing was changed; check the arguments and call again."
        else:
            step = (
                "Check the arguments (for instance each URL) and call again; first call list_jobs "
                "to see whether a job was saved, and resume a saved one with check_status "
                "rather than submitting it again."
            )
        text = (
            f"Error executing tool {self.name}: it stopped on an unexpected error ({what}). "
            f"{step} The server's log (stderr) has the details."
        )
        return ToolError(printable(runtime.redact(text)))

    def _refusal(self, lines: list[str]) -> str:
        return (
            f"Error executing tool {self.name}: "
            + "\n".join(lines)
            + "\nNothing was run or submitted; fix the arguments named above and call again."
        )


def _readable(text: str) -> str:
    """A text block with its control characters escaped: JSON stays valid JSON (the SDK writes
    a model's result as JSON text), any other text gets `\\x1b`-style escapes."""
    try:
        json.loads(text)
    except ValueError:
        return printable(text)
    return printable_json(text)


def unknown_arguments(tool: str, arguments: dict[str, Any], accepted: list[str]) -> list[str]:
    """One line per argument `tool` does not take, with the nearest accepted name, then the
    names it takes (nothing when every name is known)."""
    lines = []
    for name in arguments:
        if name in accepted:
            continue
        near = difflib.get_close_matches(name.lower(), accepted, n=1, cutoff=0.6)
        hint = f"; did you mean {near[0]}?" if near else "."
        lines.append(f"{name}: {tool} has no such argument{hint}")
    if lines:
        lines.append(f"{tool} takes: {', '.join(accepted)}." if accepted else f"{tool} takes no arguments.")
    return lines


def argument_error(err: ValidationError, arguments: dict[str, Any], schema: dict[str, Any]) -> list[str]:
    """One line per refused field: its name, the value given and what the schema allows."""
    properties: dict[str, Any] = schema.get("properties", {})
    lines = []
    seen: set[str] = set()
    for problem in err.errors():
        field = str(problem["loc"][0]) if problem["loc"] else "arguments"
        if field in seen:
            continue  # a union reports each arm; one line per field is enough
        seen.add(field)
        allowed = describe_allowed(properties.get(field, {}))
        if problem["type"] == "missing":
            lines.append(f"{field}: required; give {allowed}.")
            continue
        lines.append(f"{field}: {_quote(arguments.get(field))} is not allowed; allowed: {allowed}.")
    return lines


def describe_allowed(prop: dict[str, Any]) -> str:
    """What a JSON-schema property accepts, in words: its values, its type and its range."""
    arms = prop.get("anyOf") or [prop]
    words = [_describe_arm(arm) for arm in arms if arm.get("type") != "null"]
    nullable = any(arm.get("type") == "null" for arm in arms)
    text = " or ".join(w for w in words if w) or "any value"
    return text + (" (or leave it out)" if nullable else "")


def _describe_arm(arm: dict[str, Any]) -> str:
    if "enum" in arm:
        return "one of " + ", ".join(str(v) for v in arm["enum"])
    kind = arm.get("type")
    low, high = arm.get("minimum"), arm.get("maximum")
    span = ""
    if low is not None and high is not None:
        span = f" from {low:g} to {high:g}"
    elif low is not None:
        span = f" of at least {low:g}"
    elif high is not None:
        span = f" of at most {high:g}"
    match kind:
        case "integer":
            return "a whole number" + span
        case "number":
            return "a number" + span
        case "boolean":
            return "true or false"
        case "string" if "maxLength" in arm:
            return f"text of at most {count(arm['maxLength'], 'character')}"
        case "string":
            return "text"
        case "array":
            items = _describe_arm(arm.get("items", {})).removeprefix("a ")
            most = f"at most {arm['maxItems']} entries, each " if "maxItems" in arm else ""
            return f"a list of {most}{items}"
        case _:
            return str(kind or "")


def _quote(value: Any) -> str:
    text = json.dumps(value, default=str, ensure_ascii=False)
    return text if len(text) <= _VALUE_CHARS else text[: _VALUE_CHARS - 3] + "..."


def _runtime_of(context: Context[Any, Any]) -> Runtime:
    """The runtime serving the call; outside a request (a direct call), one reading the environment."""
    try:
        found = context.request_context.lifespan_context
    except ValueError:
        found = None
    return found if isinstance(found, Runtime) else Runtime(None)
