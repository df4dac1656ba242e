"""The syntax of `seedance`: its subcommands, their options, help texts and value checks.

Parsing never prints a refusal itself: a command line it cannot accept raises `UsageError`
carrying the usage text of the (sub)command, for the caller to show.
"""

from __future__ import annotations

import argparse
import math
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from .. import __version__
from ..models import ASPECT_RATIOS, MODEL_NAMES, RESOLUTIONS

__all__ = ["JSON_COMMANDS", "UsageError", "build_parser", "command_of"]

MAX_WHOLE_NUMBER = 1_000_000
"""The largest --duration or --limit the command line takes."""
PORTS = (1, 65535)
"""The TCP ports `seedance sandbox --port` can listen on."""
JSON_COMMANDS = frozenset(
    {"cancel", "estimate", "film", "generate", "image", "jobs", "prompt", "providers", "status"}
)
"""The subcommands that take --json; a refusal of one of them is answered in JSON under --json."""

Check = Callable[[argparse.Namespace], str | None]
"""A check of a whole subcommand line after parsing: the refusal's reason, or None."""


class UsageError(Exception):
    """The command line itself was refused (unknown option, bad number, bad choice)."""

    def __init__(self, message: str, usage: str) -> None:
        super().__init__(message)
        self.usage = usage


class _Parser(argparse.ArgumentParser):
    """Raises `UsageError` instead of printing; `check` refuses combinations no option alone can."""

    def __init__(self, *args: Any, check: Check | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._check = check

    def error(self, message: str) -> NoReturn:
        raise UsageError(message, self.format_usage())

    def parse_known_args(  # type: ignore[override]
        self, args: Sequence[str] | None = None, namespace: argparse.Namespace | None = None
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extra = super().parse_known_args(args, namespace)
        problem = self._check(parsed) if self._check is not None else None
        if problem:
            self.error(problem)
        return parsed, extra


def command_of(argv: Sequence[str]) -> str | None:
    """The subcommand a command line names (its first word that is not an option), if any."""
    return next((a for a in argv if not a.startswith("-")), None)


def _whole(low: int, high: int, what: str = "a whole number") -> Callable[[str], int]:
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what}") from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{text!r} is not {what} from {low} to {high}")
        return value

    return parse


_positive_int = _whole(1, MAX_WHOLE_NUMBER)


def _integer(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None


_port = _whole(*PORTS, what="a TCP port")


def _seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if math.isnan(value) or value < 0:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds from 0 up (inf: no limit)")
    return value


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not (math.isfinite(value) and value > 0):
        raise argparse.ArgumentTypeError(f"{text!r} is not a positive number (above 0, e.g. 0.05 or 1)")
    return value


def _one_prompt(args: argparse.Namespace) -> str | None:
    if args.idea is not None and args.lint is not None:
        return (
            "IDEA and --lint TEXT cannot be combined: give an IDEA to draft a prompt, "
            "or --lint TEXT to check your own"
        )
    return None


def _listed(values: Sequence[str]) -> str:
    return ", ".join(values)


def _delivery(p: argparse.ArgumentParser, *, no_download: str, saved: str = "the MP4") -> None:
    """The options of a command that waits for a render and saves it: how long, where, whether."""
    from ..settings import DEFAULT_OUTPUT_DIR, DEFAULT_TIMEOUT_SECONDS

    p.add_argument(
        "--timeout",
        type=_seconds,
        default=DEFAULT_TIMEOUT_SECONDS,
        metavar="SECONDS",
        help=(f"seconds to wait at most, 0 or more, inf for no limit (default {DEFAULT_TIMEOUT_SECONDS:g})"),
    )
    p.add_argument(
        "--output-dir",
        metavar="DIR",
        help=f"where to save {saved} (default SEEDANCE_OUTPUT_DIR or ./{DEFAULT_OUTPUT_DIR})",
    )
    p.add_argument("--no-download", action="store_true", help=no_download)


def build_parser() -> argparse.ArgumentParser:
    """The parser of the whole command line; `args.command` names the subcommand chosen."""
    from ..craft.library import load_craft, template_names
    from ..providers import PROVIDER_IDS, PROVIDERS
    from ..settings import DEFAULT_OUTPUT_DIR, DEFAULT_PORT

    craft = load_craft()
    seeds = "; ".join(
        f"{p.id} takes one, {p.caps.seed_range[0]} to {p.caps.seed_range[1]}"
        for p in PROVIDERS.values()
        if p.caps.seed and p.caps.seed_range is not None
    )
    parser = _Parser(prog="seedance", description="Draft, price, render and track Seedance videos.")
    parser.add_argument(
        "--version", action="version", version=f"seedance {__version__}", help="print the version and exit"
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("--json", action="store_true", help="print exactly one JSON object on stdout")
        p.add_argument(
            "--sandbox", action="store_true", help="use the built-in simulator (same as SEEDANCE_SANDBOX=1)"
        )

    def provider(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument("--provider", choices=PROVIDER_IDS, help=what)

    def model(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument(
            "--model",
            metavar="NAME",
            help=f"{what}: {_listed(MODEL_NAMES)}, or a provider's own model id "
            "(default: SEEDANCE_MODEL, else the provider's default model)",
        )

    def flex(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--flex",
            action="store_true",
            help="Ark's offline tier: half the price, slower (byteplus and volcengine, Seedance 1.x)",
        )

    def duration(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument(
            "--duration",
            type=_positive_int,
            metavar="SECONDS",
            help=f"{what}, a whole number from 1 to {MAX_WHOLE_NUMBER}; each provider allows only "
            "some lengths (`seedance providers`)",
        )

    p = sub.add_parser("demo", help="the whole flow against the built-in simulator; no key needed")
    p.add_argument(
        "--output-dir",
        metavar="DIR",
        help=f"where to save the placeholder MP4 (default ./{DEFAULT_OUTPUT_DIR})",
    )
    p.add_argument(
        "--film",
        action="store_true",
        help="render a 3-shot sandbox film (one chained shot, one crossfade) with its contact sheet, "
        "film.json and review page",
    )

    p = sub.add_parser("providers", help="what each provider and model supports and whether its key is set")
    common(p)
    model(p, "list only the providers that serve this model")

    p = sub.add_parser("estimate", help="what a clip costs, on one provider or compared across all")
    common(p)
    provider(p, "price on this provider only; without it, every provider and model is compared")
    model(p, "the model to price")
    p.add_argument(
        "--resolution", choices=RESOLUTIONS, help="the resolution to price (default: each model's own)"
    )
    p.add_argument(
        "--aspect-ratio",
        choices=ASPECT_RATIOS,
        help="the frame shape to price (token-priced models cost by frame size; default 16:9)",
    )
    duration(p, "the clip length to price (default: one length most providers offer)")
    p.add_argument("--audio", action="store_true", help="with sound (on most models it costs more)")
    flex(p)

    p = sub.add_parser("generate", help="render a video")
    common(p)
    p.add_argument("prompt", help="what the clip shows (`seedance prompt IDEA` drafts one)")
    provider(p, "where to render (default: SEEDANCE_PROVIDER, else the first provider whose key is set)")
    model(p, "the Seedance model to render with")
    p.add_argument(
        "--aspect-ratio", choices=ASPECT_RATIOS, help="frame shape (default: the provider's, usually 16:9)"
    )
    p.add_argument("--resolution", choices=RESOLUTIONS, help="resolution (default: the provider's)")
    duration(p, "clip length in seconds (default: the provider's)")
    p.add_argument("--audio", action="store_true", help="generate sound (doubles the price)")
    p.add_argument("--fixed-lens", action="store_true", help="keep the camera still (no camera move)")
    flex(p)
    p.add_argument(
        "--image",
        metavar="URL|FILE",
        help="start frame: a public URL, or a local image where the provider takes one",
    )
    p.add_argument("--end-image", metavar="URL|FILE", help="end frame: a public URL or a local image")
    for kind, most in (("image", 9), ("video", 3), ("audio", 3)):
        p.add_argument(
            f"--ref-{kind}",
            dest=f"reference_{kind}s",
            metavar="URL|FILE",
            action="append",
            default=[],
            help=f"a reference {kind} for Seedance 2.x (repeatable, up to {most}); name it in the prompt as "
            f"@{kind}1, @{kind}2...",
        )
    p.add_argument(
        "--last-frame",
        action="store_true",
        help="also hand back the clip's last frame as an image URL (byteplus, volcengine)",
    )
    p.add_argument(
        "--seed",
        type=_integer,
        metavar="N",
        help=f"repeatable randomness, a whole number; only {seeds}",
    )
    wait = p.add_mutually_exclusive_group()
    wait.add_argument(
        "--wait", dest="wait", action="store_true", default=True, help="wait for the video (default)"
    )
    wait.add_argument("--no-wait", dest="wait", action="store_false", help="return at once with the job id")
    _delivery(p, no_download="keep only the URL")
    p.add_argument(
        "--dry-run", action="store_true", help="print the exact HTTP request and its price; send nothing"
    )
    p.add_argument(
        "--confirm-cost",
        action="store_true",
        help="go ahead although SEEDANCE_MAX_CREDITS or SEEDANCE_MAX_COST cannot check the price "
        "(no published price, or a price in another unit)",
    )

    _image(sub, common)

    p = sub.add_parser("status", help="check (and with --wait, finish) a job")
    common(p)
    p.add_argument("job_id", help="local job id, a unique prefix of it, or the provider's task id")
    p.add_argument("--wait", action="store_true", help="wait until the job finishes (or --timeout passes)")
    _delivery(p, no_download="do not download a finished video; keep its URL")

    p = sub.add_parser(
        "cancel", help="cancel a job that has not started rendering (where the provider allows)"
    )
    common(p)
    p.add_argument("job_id", help="local job id, a unique prefix of it, or the provider's task id")

    p = sub.add_parser("jobs", help="recent jobs, newest first")
    common(p)
    p.add_argument(
        "--limit",
        type=_positive_int,
        default=20,
        metavar="N",
        help=f"how many jobs to list, a whole number from 1 to {MAX_WHOLE_NUMBER} (default 20)",
    )

    p = sub.add_parser(
        "prompt", help="check your prompt (--lint TEXT) or compose one from an IDEA", check=_one_prompt
    )
    common(p)
    p.add_argument("idea", nargs="?", help="what the clip should show; leave it out with --lint")
    p.add_argument("--lint", metavar="TEXT", help="check this prompt instead of drafting one (no IDEA then)")
    provider(p, "fit the prompt to this provider's limits (default: fits every provider)")
    model(p, "fit the prompt to this model's limits")
    p.add_argument(
        "--template",
        metavar="NAME",
        help=f"one of: {_listed(template_names())} (default: chosen from the idea)",
    )
    p.add_argument(
        "--shot-size",
        metavar="NAME",
        help=f"one of: {_listed(list(craft.shot_sizes))} (default: none)",
    )
    p.add_argument(
        "--camera-move",
        metavar="NAME",
        help=f"one of: {_listed(list(craft.camera_moves))} (default: none)",
    )
    p.add_argument(
        "--angle",
        metavar="TEXT",
        help=f"camera angle: {_listed(list(craft.angles))}, or your own words (default: none)",
    )
    p.add_argument("--light", metavar="TEXT", help="the lighting, in your words (default: none)")
    p.add_argument("--style", metavar="TEXT", help="the visual style, in your words (default: none)")
    p.add_argument("--mood", metavar="TEXT", help="the mood, in your words (default: none)")
    p.add_argument("--sound", metavar="TEXT", help="what is heard, in your words (ignored with --no-audio)")
    p.add_argument(
        "--dialogue",
        action="append",
        metavar="'Speaker: line'",
        help="a spoken line; repeat for each line (chooses the dialogue template)",
    )
    p.add_argument("--language", metavar="TEXT", help="the language the dialogue is spoken in")
    p.add_argument(
        "--shots",
        action="append",
        metavar="SHOT",
        help="one shot of a multi-shot clip; repeat for each shot (chooses the multi-shot template)",
    )
    duration(p, "the clip length the prompt is written for")
    p.add_argument("--audio", action=argparse.BooleanOptionalAction, default=None, help="the clip has sound")
    p.add_argument(
        "--fixed-lens",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="the camera stays still (suits product shots and lip-sync)",
    )
    p.add_argument("--image", metavar="URL", help="start frame URL (image-to-video template)")

    p = sub.add_parser("sandbox", help="run the provider simulator on loopback for other tools")
    p.add_argument(
        "--port",
        type=_port,
        default=DEFAULT_PORT,
        metavar="N",
        help=f"TCP port on 127.0.0.1, {PORTS[0]} to {PORTS[1]} (default {DEFAULT_PORT})",
    )
    p.add_argument(
        "--speed",
        type=_positive_number,
        default=1.0,
        metavar="FACTOR",
        help="render time scale, a number above 0 (1: documented render times; 0.05: 20x faster; default 1)",
    )

    _film(sub, common)

    sub.add_parser("serve", help="run the MCP server (same as seedance-mcp; takes its options)")
    return parser


def _image(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """`seedance image`: pictures from seedance2ai's image endpoints, paid by the same key."""
    from ..providers.seedance2ai_images import IMAGE_MODELS

    gpt, nano = IMAGE_MODELS
    p = sub.add_parser(
        "image", help="make pictures with the same key (seedance2ai: GPT Image 2, Nano Banana Pro)"
    )
    common(p)
    p.add_argument("prompt", help="what the picture shows")
    p.add_argument("--model", metavar="NAME", help=f"{gpt.name} (default) or {nano.name}")
    p.add_argument(
        "--aspect-ratio",
        metavar="RATIO",
        help=f"frame shape (default {gpt.caps.default_aspect_ratio}); {gpt.name}: "
        f"{_listed(gpt.caps.aspect_ratios)}; {nano.name}: {_listed(nano.caps.aspect_ratios)}",
    )
    p.add_argument(
        "--resolution",
        metavar="SIZE",
        help=f"{_listed(gpt.caps.resolutions)} (default {gpt.caps.default_resolution})",
    )
    p.add_argument(
        "--count",
        type=_integer,
        default=1,
        metavar="N",
        help=f"how many pictures, 1 to {gpt.caps.max_count} on {gpt.name}; {nano.name} makes "
        f"{nano.caps.max_count} (default 1)",
    )
    p.add_argument(
        "--image",
        action="append",
        default=[],
        metavar="URL",
        help=f"public https URL of an input picture (image-to-image); repeat for more, up to "
        f"{gpt.caps.max_input_images} ({gpt.name}) or {nano.caps.max_input_images} ({nano.name})",
    )
    wait = p.add_mutually_exclusive_group()
    wait.add_argument(
        "--wait", dest="wait", action="store_true", default=True, help="wait for the pictures (default)"
    )
    wait.add_argument("--no-wait", dest="wait", action="store_false", help="return at once with the job id")
    _delivery(p, no_download="keep only the URLs", saved="the pictures")
    p.add_argument(
        "--confirm-cost",
        action="store_true",
        help="go ahead although SEEDANCE_MAX_CREDITS or SEEDANCE_MAX_COST cannot check the price "
        "(none is published)",
    )


# ---- seedance film ... ------------------------------------------------------------------------


def _film(sub: Any, common: Callable[[argparse.ArgumentParser], None]) -> None:
    """`seedance film schema | check FILE | render FILE | status FILM_ID | list`."""
    from ..film.plan import DEFAULT_MAX_PARALLEL
    from ..film.runner import FILM_WAIT_SECONDS

    film = sub.add_parser("film", help="a storyboard of shots: check, render, stitch, review")
    films = film.add_subparsers(
        dest="film_command",
        required=True,
        parser_class=_Parser,
        metavar="ACTION",
        help="schema, check, render, status or list",
    )

    def plan_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", help="the storyboard, YAML or JSON (`seedance film schema` lists its fields)")
        p.add_argument(
            "--max-parallel",
            type=_positive_int,
            default=DEFAULT_MAX_PARALLEL,
            metavar="N",
            help=f"shots rendering at once, 1 to {MAX_WHOLE_NUMBER}, within each queue cap "
            f"(default {DEFAULT_MAX_PARALLEL})",
        )
        p.add_argument(
            "--max-cost",
            metavar="'AMOUNT UNIT'",
            help="refuse the film if it costs more, e.g. '40 credits' or '3 USD' (also SEEDANCE_MAX_CREDITS, "
            "SEEDANCE_MAX_COST)",
        )
        p.add_argument(
            "--confirm-cost",
            action="store_true",
            help="go ahead although a cap cannot check a shot's price (none published, or another unit)",
        )
        p.add_argument(
            "--retry-failed",
            action="store_true",
            help="render failed shots again (their cost is shown first); without it they are kept failed",
        )

    p = films.add_parser("schema", help="print the storyboard's JSON Schema")
    p = films.add_parser("check", help="check, price and plan a storyboard; nothing is sent")
    common(p)
    plan_options(p)
    p = films.add_parser("render", help="render a storyboard: reuse what is paid for, stitch, review page")
    common(p)
    plan_options(p)
    wait = p.add_mutually_exclusive_group()
    wait.add_argument(
        "--wait", dest="wait", action="store_true", default=True, help="wait for the film (default)"
    )
    wait.add_argument(
        "--no-wait", dest="wait", action="store_false", help="submit the shots that can start, then return"
    )
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=FILM_WAIT_SECONDS,
        metavar="SECONDS",
        help=f"seconds to wait at most, 0 or more, inf for no limit (default {FILM_WAIT_SECONDS:g})",
    )
    p.add_argument(
        "--output-dir", metavar="DIR", help="where the film's folder goes (default SEEDANCE_OUTPUT_DIR)"
    )
    p = films.add_parser("status", help="where a film stands; with --wait, carry it on to the end")
    common(p)
    p.add_argument("film_id", help="the film's id (`seedance film list`), or a unique prefix of it")
    p.add_argument("--wait", action="store_true", help="carry the film on until it is done (or --timeout)")
    p.add_argument(
        "--timeout",
        type=_seconds,
        default=FILM_WAIT_SECONDS,
        metavar="SECONDS",
        help=f"seconds to wait at most with --wait, 0 or more (default {FILM_WAIT_SECONDS:g})",
    )
    p = films.add_parser("list", help="recent films, newest first")
    common(p)
    p.add_argument(
        "--limit",
        type=_positive_int,
        default=20,
        metavar="N",
        help=f"how many films to list, 1 to {MAX_WHOLE_NUMBER} (default 20)",
    )
