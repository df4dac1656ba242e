"""The MCP server: tools, prompts and the job resource over the engine's `Service`.

Importing it reads no environment and no file; the service is built on the first tool call.
`main` is the `seedance-mcp` entry point.
"""

from __future__ import annotations

from .app import build_server, main

__all__ = ["build_server", "main"]
