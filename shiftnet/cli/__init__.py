"""``shiftnet <command>``: parse arguments, call one library function, write its output.

One module per capability builds its subcommands and runs them: :mod:`.shifts` (predict,
train), :mod:`.spectra` (process, simulate, pick, reconstruct, denoise, train-spectra),
:mod:`.assignment` (assign, verify); ``serve`` starts the web page.

Exit codes: 0 success (predict: at least one molecule succeeded), 1 nothing succeeded or the
command failed, 2 usage errors.
"""

from __future__ import annotations

import argparse
import signal
import sys

from .. import __version__
from . import assignment, shifts, spectra
from .common import CommandFailed, UsageError


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shiftnet", description="Deep learning for NMR of small molecules.")
    parser.add_argument("--version", action="version", version=f"shiftnet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)
    for module in (shifts, spectra, assignment):
        module.add_parsers(commands)
    serve = commands.add_parser("serve", help="a local web page: predict, look at spectra, assign (needs shiftnet[web])")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    return parser


def run_serve(args: argparse.Namespace) -> int:
    """``shiftnet serve``: the local web page (needs the ``web`` extra)."""
    try:
        from ..web import serve
    except ImportError as exc:
        raise UsageError(f"the web page needs its extra: pip install shiftnet[web] ({exc})") from None
    serve(args.host, args.port)
    return 0


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shiftnet`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # close outputs cleanly when killed
    handlers = {**shifts.HANDLERS, **spectra.HANDLERS, **assignment.HANDLERS, "serve": run_serve}
    try:
        return handlers[args.command](args)
    except UsageError as exc:
        print(f"shiftnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except CommandFailed as exc:
        print(f"shiftnet {args.command}: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("shiftnet: interrupted; the output written so far is complete and readable", file=sys.stderr)
        return 130
