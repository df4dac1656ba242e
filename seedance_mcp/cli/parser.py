"""The syntax of `seedance`: its subcommands, their options, help texts and value checks.

Parsing never prints a refusal itself: a command line it cannot accept raises `UsageError`
carrying the usage text of the (sub)command, for the caller to show.
"""

from __future__ import annotations

import argparse
import math
from typing import NoReturn

from ..models import ASPECT_RATIOS, RESOLUTIONS

__all__ = ["UsageError", "build_parser"]

MAX_WHOLE_NUMBER = 1_000_000
"""The largest --duration or --limit the command line takes."""


class UsageError(Exception):
    """The command line itself was refused (unknown option, bad number, bad choice)."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if not 1 <= value <= MAX_WHOLE_NUMBER:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number from 1 to {MAX_WHOLE_NUMBER}")
    return value


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if math.isnan(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 up (inf: no limit)")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line; `args.command` names the subcommand chosen."""
    from ..providers import PROVIDER_IDS
    from ..settings import DEFAULT_OUTPUT_DIR, DEFAULT_PORT, DEFAULT_TIMEOUT_SECONDS

    parser = _Parser(prog="seedance", description="Draft, price, render and track Seedance videos.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
        p.add_argument(
            "--sandbox", action="store_true", help="use the built-in simulator (same as SEEDANCE_SANDBOX=1)"
        )

    p = sub.add_parser("demo", help="the whole flow against the built-in simulator; no key needed")
    p.add_argument("--output-dir", help=f"where to save the placeholder MP4 (default ./{DEFAULT_OUTPUT_DIR})")

    p = sub.add_parser("providers", help="what each provider supports and whether its key is set")
    common(p)

    p = sub.add_parser("estimate", help="credits a clip costs (all providers unless --provider)")
    common(p)
    p.add_argument("--provider", choices=PROVIDER_IDS)
    p.add_argument("--resolution", choices=RESOLUTIONS)
    p.add_argument("--duration", type=_positive_int, help="seconds")
    p.add_argument("--audio", action="store_true", help="with sound (doubles the price)")

    p = sub.add_parser("generate", help="render a video")
    common(p)
    p.add_argument("prompt")
    p.add_argument("--provider", choices=PROVIDER_IDS)
    p.add_argument("--aspect-ratio", choices=ASPECT_RATIOS)
    p.add_argument("--resolution", choices=RESOLUTIONS)
    p.add_argument("--duration", type=_positive_int, help="seconds")
    p.add_argument("--audio", action="store_true", help="generate sound (doubles the price)")
    p.add_argument("--fixed-lens", action="store_true")
    p.add_argument("--image", help="public http(s) URL of the start frame")
    p.add_argument("--end-image", help="public http(s) URL of the end frame")
    p.add_argument("--seed", type=int)
    wait = p.add_mutually_exclusive_group()
    wait.add_argument(
        "--wait", dest="wait", action="store_true", default=True, help="wait for the video (default)"
    )
    wait.add_argument("--no-wait", dest="wait", action="store_false", help="return at once with the job id")
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        help=f"seconds to wait at most (default {DEFAULT_TIMEOUT_SECONDS:g})",
    )
    p.add_argument(
        "--output-dir",
        help=f"where to save the MP4 (default SEEDANCE_OUTPUT_DIR or ./{DEFAULT_OUTPUT_DIR})",
    )
    p.add_argument("--no-download", action="store_true", help="keep only the URL")
    p.add_argument(
        "--dry-run", action="store_true", help="print the exact HTTP request and its price; send nothing"
    )
    p.add_argument(
        "--confirm-cost",
        action="store_true",
        help="go ahead on a provider with no published price although SEEDANCE_MAX_CREDITS is set",
    )

    p = sub.add_parser("status", help="check (and with --wait, finish) a job")
    common(p)
    p.add_argument("job_id", help="local job id, a unique prefix of it, or the provider's task id")
    p.add_argument("--wait", action="store_true")
    p.add_argument("--timeout", type=_seconds, default=DEFAULT_TIMEOUT_SECONDS)
    p.add_argument("--output-dir")
    p.add_argument("--no-download", action="store_true")

    p = sub.add_parser("jobs", help="recent jobs, newest first")
    common(p)
    p.add_argument("--limit", type=_positive_int, default=20)

    p = sub.add_parser("prompt", help="draft a cinematic prompt (or --lint your own)")
    common(p)
    p.add_argument("idea", nargs="?")
    p.add_argument("--lint", metavar="TEXT", help="check this prompt instead of drafting one")
    p.add_argument("--provider", choices=PROVIDER_IDS)
    p.add_argument("--template")
    p.add_argument("--shot-size")
    p.add_argument("--camera-move")
    p.add_argument("--angle")
    p.add_argument("--light")
    p.add_argument("--style")
    p.add_argument("--mood")
    p.add_argument("--sound")
    p.add_argument("--dialogue", action="append", metavar="'Speaker: line'")
    p.add_argument("--language")
    p.add_argument("--shots", action="append", metavar="SHOT")
    p.add_argument("--duration", type=_positive_int)
    p.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None, help="the clip has sound")
    p.add_argument("--fixed-lens", action=argparse.BooleanOptionalAction, default=None)
    p.add_argument("--image", help="start frame URL (image-to-video template)")

    p = sub.add_parser("sandbox", help="run the provider simulator on loopback for other tools")
    p.add_argument("--port", type=int, default=DEFAULT_PORT)
    p.add_argument("--speed", type=float, default=1.0, help="render time scale (1.0 = realistic)")

    sub.add_parser("serve", help="run the MCP server (same as seedance-mcp; takes its options)")
    return parser
