"""Shared by the benchmark scripts: where the data are, and the header every script prints
(command, machine, versions) so that each figure can be reproduced."""

from __future__ import annotations

import os
import platform
import shlex
import sys
from pathlib import Path

#: ``../shared/data`` beside the repository.
SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
NMRSHIFTDB2 = SHARED_DATA / "nmrshiftdb2"
RAW = SHARED_DATA / "raw"


def print_header(**extra: object) -> None:
    """Print the exact command, the machine and the library versions, plus ``extra`` lines."""
    import numpy

    print("command:", "python " + " ".join(shlex.quote(a) for a in sys.argv))
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    versions = [f"python {platform.python_version()}", f"numpy {numpy.__version__}"]
    if "torch" in sys.modules:
        versions.append(f"torch {sys.modules['torch'].__version__}")
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, {cpus} CPUs; "
          + ", ".join(versions))
    for key, value in extra.items():
        print(f"{key}: {value}")
