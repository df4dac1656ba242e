"""`seedance`'s entry point: parse, run the command, show its result, end with an exit code.

A command's own function computes; this module picks it, hands its result to the renderer
and turns what it returned or raised into the exit code. Ctrl-C while waiting leaves the
job in the ledger and says how to resume it. An exception nothing anticipated (a bug, a
library's bare `ValueError`) ends as one readable error line (with --json, one JSON error)
and exit 1, never a traceback; the traceback is logged at DEBUG.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
from collections.abc import Awaitable, Callable, Sequence
from typing import NoReturn

import anyio

from ..errors import SeedanceError
from ..models import JobStatus
from . import commands, film, render
from .exits import (
    EXIT_FAILED,
    EXIT_INPUT,
    EXIT_INTERRUPTED,
    EXIT_OK,
    exit_code_for,
    film_exit,
    job_exit,
    status_exit,
)
from .parser import JSON_COMMANDS, UsageError, build_parser, command_of
from .progress import ProgressBar

__all__ = ["main", "run"]

log = logging.getLogger("seedance_mcp.cli")


def _providers(args: argparse.Namespace) -> int:
    render.providers(commands.providers(args), as_json=args.json)
    return EXIT_OK


def _estimate(args: argparse.Namespace) -> int:
    render.estimates(commands.estimate(args), as_json=args.json)
    return EXIT_OK


async def _generate(args: argparse.Namespace, bar: ProgressBar) -> int:
    if args.dry_run:
        render.dry_run(commands.dry_run(args), as_json=args.json)
        return EXIT_OK
    job = await commands.generate(args, announce=render.submitting, progress=bar)
    render.job(job, as_json=args.json)
    return job_exit(job, waited=args.wait)


async def _image(args: argparse.Namespace, bar: ProgressBar) -> int:
    job = await commands.image(args, announce=render.image_submitting, progress=bar)
    render.image_job(job, as_json=args.json)
    return status_exit(job.status, waited=args.wait)


async def _status(args: argparse.Namespace, bar: ProgressBar) -> int:
    if commands.is_image_job(args.job_id):
        image = await commands.image_status(args, progress=bar)
        render.image_job(image, as_json=args.json)
        return status_exit(image.status, waited=args.wait)
    job = await commands.status(args, progress=bar)
    render.job(job, as_json=args.json)
    return job_exit(job, waited=args.wait)


async def _cancel(args: argparse.Namespace, bar: ProgressBar) -> int:
    job = await commands.cancel(args)
    render.job(job, as_json=args.json)
    return EXIT_OK if job.status is JobStatus.CANCELLED else job_exit(job, waited=False)


def _jobs(args: argparse.Namespace) -> int:
    render.jobs(commands.jobs(args), as_json=args.json)
    return EXIT_OK


def _prompt(args: argparse.Namespace) -> int:
    if args.lint is not None:
        render.lint(commands.lint(args), as_json=args.json)
    else:
        render.draft(commands.draft(args), as_json=args.json)
    return EXIT_OK


async def _demo(args: argparse.Namespace, bar: ProgressBar) -> int:
    if args.film:
        record = await film.demo(args, announce=render.film_demo_plan, progress=render.FilmProgressPrinter())
        render.film_record(record, as_json=False)
        return film_exit(record, waited=True)
    job = await commands.demo(args, view=render.DemoPrinter(), progress=bar)
    return job_exit(job, waited=True)


async def _film(args: argparse.Namespace, bar: ProgressBar) -> int:
    """`seedance film ...`: schema, check and list answer at once; render and status may wait."""
    as_json = args.json if hasattr(args, "json") else False
    match args.film_command:
        case "schema":
            render.film_schema(film.schema(args))
            return EXIT_OK
        case "check":
            render.film_check(film.check(args), as_json=as_json)
            return EXIT_OK
        case "list":
            render.films(film.listing(args), as_json=as_json)
            return EXIT_OK
        case "render":
            printer = render.FilmProgressPrinter(enabled=not as_json or True)
            record = await film.render(args, announce=render.film_plan, progress=printer)
            render.film_record(record, as_json=as_json)
            return film_exit(record, waited=args.wait)
        case _:
            record = await film.status(args, progress=render.FilmProgressPrinter())
            render.film_record(record, as_json=as_json)
            return film_exit(record, waited=args.wait)


def _sandbox(args: argparse.Namespace) -> int:
    commands.sandbox(args, announce=render.sandbox)
    return EXIT_OK


_COMMANDS: dict[str, Callable[[argparse.Namespace], int]] = {
    "providers": _providers,
    "estimate": _estimate,
    "jobs": _jobs,
    "prompt": _prompt,
    "sandbox": _sandbox,
}
_WAITING_COMMANDS: dict[str, Callable[[argparse.Namespace, ProgressBar], Awaitable[int]]] = {
    "cancel": _cancel,
    "demo": _demo,
    "film": _film,
    "generate": _generate,
    "image": _image,
    "status": _status,
}
"""The commands that may wait on a render, and so run in an event loop; each gets the
invocation's progress bar, which also remembers the job it reported on."""


def _interrupted(args: argparse.Namespace, bar: ProgressBar) -> int:
    """Ctrl-C: answer with the job as the ledger holds it, when the command had one."""
    as_json = bool(getattr(args, "json", False))
    if args.command not in _WAITING_COMMANDS:
        render.stopped(as_json=as_json)
        return EXIT_INTERRUPTED
    if args.command == "film" or getattr(args, "film", False):
        render.film_interrupted(as_json=as_json)
        return EXIT_INTERRUPTED
    job_id = bar.job_id or getattr(args, "job_id", None)
    job = None
    if job_id is not None and as_json:
        try:
            job = commands.recorded(args, job_id)
        except SeedanceError:
            job = None  # e.g. `status` of an id that was never found: the error says so below
    render.interrupted(job_id, job, as_json=as_json)
    return EXIT_INTERRUPTED


def _redact_logs() -> None:
    """Every log record from here on loses the configured keys (the HTTP library's DEBUG lines
    echo headers)."""
    import os

    from ..redaction import install_log_redaction
    from ..settings import configured_secrets

    install_log_redaction(lambda: configured_secrets(os.environ))


def _log_trace(command: str, err: Exception) -> None:
    """The traceback of an unexpected exception at DEBUG, redacted like every output."""
    if not log.isEnabledFor(logging.DEBUG):
        return
    import traceback

    # The log redaction installed at start (`_redact_logs`) scrubs this record like every other.
    trace = "".join(traceback.format_exception(err))
    log.debug("seedance %s failed unexpectedly:\n%s", command, trace)


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    _redact_logs()
    if argv[:1] == ["serve"]:  # everything after `serve` belongs to the server's own parser
        from ..server.app import main as serve_main

        serve_main(argv[1:], prog="seedance serve")
        return EXIT_OK
    try:
        args = build_parser().parse_args(argv)
    except UsageError as err:
        as_json = "--json" in argv and command_of(argv) in JSON_COMMANDS
        render.usage_error(str(err), err.usage, as_json=as_json)
        return EXIT_INPUT
    bar = ProgressBar(enabled=getattr(args, "wait", True))
    try:
        if args.command in _WAITING_COMMANDS:
            return anyio.run(_WAITING_COMMANDS[args.command], args, bar)
        return _COMMANDS[args.command](args)
    except SeedanceError as err:
        render.error(err, as_json=getattr(args, "json", False))
        return exit_code_for(err)
    except KeyboardInterrupt:
        return _interrupted(args, bar)
    except Exception as err:
        _log_trace(args.command, err)
        render.unexpected(args.command, err, as_json=getattr(args, "json", False))
        return EXIT_FAILED


def run() -> NoReturn:
    """The `seedance` process: `main`, then exit with its code.

    After Ctrl-C the process ends at once, once its answer is flushed: a ledger call still
    running in a worker thread is abandoned (the ledger is crash-safe, as after kill -9) instead
    of racing the interpreter's shutdown, which can crash inside SQLite's C code."""
    code = main()
    if code == EXIT_INTERRUPTED:
        for stream in (sys.stdout, sys.stderr):
            with contextlib.suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)
    raise SystemExit(code)
