"""The `seedance` MCP server put together, and the `seedance-mcp` command that serves it.

`build_server` makes the server (its name, instructions and runtime lifespan) with the tools,
the prompts and the job resource; `main` parses the command line and serves over stdio or
streamable HTTP.

Start-up stays light: importing this module reads no environment and no file, and the
service (HTTP client, ledger, simulator, templates) is imported and built on the first tool
call, once per server lifetime, and closed when the server stops. On stdio, stdout carries
the protocol only; logs go to stderr.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import anyio
from mcp.server.mcpserver import MCPServer

from ..errors import ConfigError
from ..redaction import install_log_redaction
from ..settings import DEFAULT_PORT, MCP_TOKEN_ENV, configured_secrets, mcp_token
from . import craft_tools, film_tools, image_tools, job_tools
from .http import is_loopback, serve_http
from .runtime import Runtime, ServiceFactory

__all__ = ["build_server", "main"]

log = logging.getLogger("seedance_mcp.server")

INSTRUCTIONS = """\
Seedance video generation through several provider APIs, ByteDance's own (byteplus, \
volcengine) among them. list_providers says which have a key, the models each serves \
(e.g. seedance-1.5-pro, seedance-2.0) and what each model accepts.
Flow: write the prompt yourself from the resource seedance://guides/prompt-craft and check it \
with write_cinematic_prompt(lint=...) -> estimate_credits (tell the user the price \
and get a yes) -> generate_video (spends credits or money; waits up to 45 s) -> check_status \
with the job_id until status is "succeeded" (then video_path is the MP4 on disk).
`model` chooses the Seedance model on estimate_credits, generate_video and list_providers \
(empty: SEEDANCE_MODEL, else the provider's default); estimate_credits without a provider \
compares every provider and model that can make the clip.
Prices keep their unit: a provider's own credits, USD (byteplus) or CNY (volcengine). Say \
each price in its unit; never add or compare amounts across units.
generate_video, check_status and cancel_job return the same job shape (job_id, status, \
video_path, notice, message, next_step); list_jobs lists saved jobs in that shape. \
cancel_job stops a job that is still queued, on providers with cancel=true in list_providers.
Pictures: generate_image makes them with seedance2ai's GPT Image 2 or Nano Banana Pro (the \
same key and credits); its image_urls are public https URLs, each ready to be generate_video's \
image_url (provider seedance2ai); check_image finishes an image job by its job_id.
Never call generate_video twice for the same clip: a returned job is saved and keeps \
rendering. API keys live in this server's environment; never ask the user to paste one into \
the chat. Results with sandbox=true come from the built-in simulator: the clip is a \
placeholder and nothing was charged.
Films (several shots stitched into one MP4): write a storyboard (the storyboard prompt), \
check_film (free: checks, prices, plans), get the user's OK on its price, then render_film, \
called again with the same storyboard until the film is done; shots already rendered are reused."""


def build_server(service_factory: ServiceFactory | None = None) -> MCPServer[Runtime]:
    """The MCP server with its tools, prompts and job resource.

    `service_factory` builds the `Service` on the first call that needs one (default:
    `Service()`, configured from the environment); it is closed when the server stops.
    """
    runtime = Runtime(service_factory)
    server: MCPServer[Runtime] = MCPServer(
        "seedance",
        title="Seedance video",
        instructions=INSTRUCTIONS,
        version=_version(),
        lifespan=runtime.lifespan,
        # craft first: clients list write_cinematic_prompt before the job tools
        tools=[*craft_tools.tools(), *job_tools.tools(), *image_tools.tools(), *film_tools.tools()],
    )
    craft_tools.register(server)
    job_tools.register(server)
    film_tools.register(server)
    return server


def _version() -> str:
    from .. import __version__

    return __version__


def _parser(prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="MCP server for Seedance video generation (stdio by default).",
    )
    parser.add_argument("--version", action="version", version=f"seedance-mcp {_version()}")
    parser.add_argument(
        "--transport",
        choices=("stdio", "streamable-http"),
        default="stdio",
        help="stdio (default: the client starts this process) or streamable-http (a long-running server)",
    )
    parser.add_argument("--host", default="127.0.0.1", help="HTTP bind address (default: loopback only)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"HTTP port (default {DEFAULT_PORT})")
    parser.add_argument(
        "--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"), help="stderr log level"
    )
    return parser


def main(argv: Sequence[str] | None = None, prog: str = "seedance-mcp") -> None:
    """Console entry point `seedance-mcp` (also `python -m seedance_mcp.server`, and `seedance serve`,
    which passes its own name as `prog` so that `--help` and errors say `usage: seedance serve`)."""
    given = list(sys.argv[1:] if argv is None else argv)
    if given[:1] == ["--"]:  # `seedance serve -- --transport ...` passes the separator along
        given = given[1:]
    args = _parser(prog).parse_args(given)
    logging.basicConfig(stream=sys.stderr, level=args.log_level, format="%(levelname)s %(name)s: %(message)s")
    # Every log record, the HTTP library's DEBUG header dumps included, loses the keys first.
    install_log_redaction(lambda: configured_secrets(os.environ))
    if args.log_level != "DEBUG":
        logging.getLogger("httpx2").setLevel(logging.WARNING)  # one line per poll is noise
    if args.transport == "stdio":
        build_server().run("stdio")
        return
    try:
        token = mcp_token()
    except ConfigError as err:
        raise SystemExit(f"{prog}: {err.message}") from None
    if not is_loopback(args.host) and token is None:
        raise SystemExit(
            f"{prog}: --host {args.host} is reachable from other machines; "
            f"set {MCP_TOKEN_ENV} to a long "
            "random token (clients send it as 'Authorization: Bearer <token>'), or bind 127.0.0.1."
        )
    if not 0 < args.port < 65536:
        raise SystemExit(f"{prog}: --port {args.port} is not a TCP port; allowed: 1-65535.")
    log.info(
        "serving streamable HTTP on http://%s:%d/mcp%s",
        args.host,
        args.port,
        " (token required)" if token else "",
    )
    anyio.run(serve_http, build_server(), args.host, args.port, token, args.log_level)
