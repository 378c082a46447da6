"""What every command shares: the usage error, output checks and writes, reading a spectrum."""

from __future__ import annotations

import sys
import warnings
from contextlib import contextmanager
from pathlib import Path

PLOT_SUFFIXES = (".png", ".svg", ".pdf")


class UsageError(Exception):
    """A usage error: the command prints it as one line and exits with status 2."""


class CommandFailed(Exception):
    """The command could not do its work (e.g. unreadable data): one line, exit status 1."""


@contextmanager
def readable_errors():
    """Inside: an unreadable spectrum becomes :class:`CommandFailed`, any other ``ValueError``
    (bad option or input) a :class:`UsageError`."""
    from ..spectra.io import SpectrumReadError

    try:
        yield
    except SpectrumReadError as exc:
        raise CommandFailed(str(exc)) from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def check_output(output: Path | None, suffixes: tuple[str, ...], source: Path | None = None) -> None:
    """Usage errors for an output path: a suffix not in ``suffixes``, or the input itself."""
    from ..export import check_not_an_input

    if output is None:
        return
    if output.suffix.lower() not in suffixes:
        raise UsageError(f"cannot tell the format from {output.name!r}: use {', '.join(suffixes)}")
    try:
        check_not_an_input(output, [source] if source is not None else [])
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def write_checked(writer, value, path: Path) -> None:
    """Call ``writer(value, path)``; a ValueError (format does not fit the data) is a usage error."""
    try:
        writer(value, path)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def spectrum_outputs(spectrum, output: Path | None, plot: Path | None, draw) -> None:
    """Write ``spectrum`` to ``output`` (format by suffix) and ``draw(plot)`` the picture, when asked."""
    from ..export import write_spectrum

    if output is not None:
        write_checked(write_spectrum, spectrum, output)
        print(f"written: {output}")
    if plot is not None:
        print(f"picture: {draw(plot)}")


def load_spectrum(path: Path, solvent: str | None):
    """A processed spectrum from raw data (processed with defaults) or a ``shiftnet process``
    file (.npz, or .csv/.tsv with ppm and intensity columns)."""
    from .. import spectra

    if path.suffix.lower() == ".npz":
        import numpy as np

        with np.load(path, allow_pickle=False) as stored:
            ppm = stored["ppm"] if "ppm" in stored.files else (stored["ppm_f1"], stored["ppm_f2"])
            return spectra.Spectrum(data=stored["data"], ppm=ppm, nucleus="?", source=path)
    if path.suffix.lower() in (".csv", ".tsv"):
        import pandas as pd

        table = pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        if not {"ppm", "intensity"} <= set(table.columns):
            raise ValueError(f"{path}: a spectrum table needs ppm and intensity columns")
        return spectra.Spectrum(data=table["intensity"].to_numpy(), ppm=table["ppm"].to_numpy(), nucleus="?",
                                source=path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spectra.ProcessingWarning)
        return spectra.process(spectra.read(path), solvent=solvent)


class ProgressNote:
    """A line on stderr before a long step and its duration after it."""

    def __init__(self, what: str) -> None:
        import time

        self.start, self.clock = time.perf_counter(), time.perf_counter
        print(f"shiftnet: {what} ...", file=sys.stderr, flush=True)

    def done(self) -> None:
        print(f"shiftnet: done in {self.clock() - self.start:.1f} s", file=sys.stderr)

