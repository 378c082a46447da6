"""Non-uniform sampling (NUS) schedules and Bruker ``nuslist`` files.

A schedule is a sorted array of the (0-based) complex-point indices that were acquired along an
indirect dimension (or along the FID, for 1D training data). Bruker's ``nuslist`` holds one
acquired index per line, and one line of space-separated indices per point for experiments with
two indirect dimensions.
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Sequence

import numpy as np

from .core import FID

KINDS = ("poisson-gap", "random", "exponential")
#: Exponential schedules weight index ``i`` by ``exp(-EXP_DECAY * i / size)``.
EXP_DECAY = 3.0
_MAX_TRIES = 100_000


def _count(size: int, fraction: float) -> int:
    if not (isinstance(size, (int, np.integer)) and size >= 1):
        raise ValueError(f"size must be a positive integer, got {size!r}")
    if not (0.0 < fraction <= 1.0):
        raise ValueError(f"fraction must be in (0, 1], got {fraction!r}")
    return max(1, int(round(size * fraction)))


def _poisson_gap(size: int, count: int, rng: np.random.Generator) -> np.ndarray:
    """Sine-weighted Poisson-gap sampling (Hyberts, Takeuchi & Wagner, JACS 2010, 132, 2145).

    The mean gap grows as ``sin(pi/2 * t)`` along the schedule, so sampling is densest at the
    start of the FID where the signal is strongest; the gap scale is adapted until exactly
    ``count`` points are drawn.
    """
    scale = 2.0 * (size / count - 1.0)
    for _ in range(_MAX_TRIES):
        picked, i = [], 0
        while i < size:
            picked.append(i)
            i += 1 + rng.poisson(scale * np.sin((i + 0.5) / (size + 1) * np.pi / 2))
        if len(picked) == count:
            return np.asarray(picked, dtype=int)
        scale *= 1.02 if len(picked) > count else 1 / 1.02
    raise RuntimeError(f"poisson-gap sampling did not reach {count} of {size} points")


def nus_schedule(size: int, fraction: float, kind: str = "poisson-gap",
                 seed: int | Sequence[int] | None = 0) -> np.ndarray:
    """Indices of the complex points to acquire.

    Parameters
    ----------
    size : number of complex points of the fully sampled dimension.
    fraction : fraction of them to acquire, in ``(0, 1]``.
    kind : "poisson-gap" (sine-weighted, gaps grow toward the end), "random" (uniform) or
        "exponential" (density ``exp(-3 i / size)``).
    seed : seed (or seed sequence) of the numpy generator.

    Returns
    -------
    int array of ``round(size * fraction)`` (at least 1) sorted, unique indices in
    ``[0, size)``, always including 0.
    """
    count = _count(size, fraction)
    if kind not in KINDS:
        raise ValueError(f"unknown NUS schedule kind {kind!r}; use one of {', '.join(KINDS)}")
    rng = np.random.default_rng(seed)
    if count == size:
        return np.arange(size)
    if kind == "poisson-gap":
        return _poisson_gap(size, count, rng)
    candidates = np.arange(1, size)
    weights = None
    if kind == "exponential":
        weights = np.exp(-EXP_DECAY * candidates / size)
        weights /= weights.sum()
    rest = rng.choice(candidates, size=count - 1, replace=False, p=weights)
    return np.concatenate([[0], np.sort(rest)]).astype(int)


def nus_mask(schedule: np.ndarray, size: int) -> np.ndarray:
    """Boolean mask of shape ``(size,)`` that is True at the indices of a 1D schedule."""
    mask = np.zeros(size, dtype=bool)
    mask[np.asarray(schedule, dtype=int)] = True
    return mask


def nus_schedule_of(fid: FID, rows_per_increment: int) -> tuple[np.ndarray | None, int]:
    """The t1 schedule of a 2D FID and the full number of t1 points.

    Parameters
    ----------
    fid : 2D FID; NUS data carry ``meta["nuslist"]`` (acquisition order) and ``meta["nus_td"]``.
    rows_per_increment : FID rows per t1 increment (2 for States / echo-antiecho, 1 for QF).

    Returns
    -------
    schedule, size : ``(m,)`` t1 index of each measured increment (None when uniformly
        sampled) and the number of t1 points of the full grid (``m`` when uniform).

    Raises
    ------
    ValueError : a NUS data set (Bruker ``FnTYPE = 2``) without its ``nuslist``, or fewer
        schedule entries than measured increments.
    """
    measured = fid.data.shape[0] // rows_per_increment
    listed = fid.meta.get("nuslist")
    if listed is None:
        if fid.meta.get("fntype") == 2:
            raise ValueError(f"{fid.source or 'data'}: non-uniformly sampled (FnTYPE = 2) but no nuslist: "
                             "the increments cannot be placed")
        return None, measured
    schedule = np.asarray(listed, dtype=int).reshape(len(listed), -1)[:, 0]
    if schedule.size < measured:
        raise ValueError(f"the nuslist has {schedule.size} entries for {measured} measured increments")
    schedule = schedule[:measured]
    size = int(fid.meta.get("nus_td") or 0) // rows_per_increment
    return schedule, max(size, int(schedule.max()) + 1)


def fill_nus(measured: np.ndarray, schedule: np.ndarray, size: int,
             method: str | Callable | None = None) -> tuple[np.ndarray, dict]:
    """Put NUS increments on the full t1 grid: zeros in the gaps, or a reconstruction.

    Parameters
    ----------
    measured : complex t1 signal of the measured increments, shape ``(m, n2)`` (axis 0 = t1).
    schedule : t1 index of each row of ``measured``, shape ``(m,)``.
    size : points of the full t1 grid.
    method : None or ``"zero-fill"`` (zeros at the missing points; the record carries a
        warning: without reconstruction the spectrum has sampling artefacts), or a callable
        ``f(measured, schedule, size) -> (size, n2)`` complex array.

    Returns
    -------
    full, record : complex ``(size, n2)`` and its description for ``meta["steps"]``.
    """
    info = {"step": "nus", "measured": int(schedule.size), "size": int(size),
            "fraction": round(schedule.size / size, 4)}
    if callable(method):
        full = np.asarray(method(measured, schedule, size))
        if full.shape != (size,) + measured.shape[1:]:
            raise ValueError(f"the NUS reconstruction returned shape {full.shape}, expected "
                             f"{(size,) + measured.shape[1:]}")
        return full, {**info, "method": getattr(method, "__name__", type(method).__name__)}
    if method not in (None, "zero-fill"):
        raise ValueError(f"nus must be None, 'zero-fill' or a callable, got {method!r}")
    full = np.zeros((size,) + measured.shape[1:], dtype=complex)
    full[schedule] = measured
    warning = (f"non-uniformly sampled ({schedule.size} of {size} t1 points): zero-filled at the schedule "
               "positions, NOT reconstructed; expect streaks along F1 (pass nus=<reconstruction>)")
    return full, {**info, "method": "zero-fill", "warnings": [warning]}


def write_nuslist(path: str | Path, schedule: np.ndarray) -> Path:
    """Write a schedule as a Bruker ``nuslist``: one index (1D) or index pair (2D) per line.

    Parameters
    ----------
    path : file to write (a directory gets ``nuslist`` inside it).
    schedule : int array ``(n,)`` or ``(n, k)``.

    Returns
    -------
    The path written.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "nuslist"
    points = np.asarray(schedule)
    if points.ndim not in (1, 2) or not np.issubdtype(points.dtype, np.integer) or (points < 0).any():
        raise ValueError("a NUS schedule must be a 1D or 2D array of non-negative integers")
    rows = points.reshape(len(points), -1)
    path.write_text("".join(" ".join(str(int(v)) for v in row) + "\n" for row in rows))
    return path


def read_nuslist(path: str | Path) -> np.ndarray:
    """Read a Bruker ``nuslist`` (a file, or an experiment directory containing one).

    Returns
    -------
    int array ``(n,)`` for one index per line, ``(n, k)`` for ``k`` indices per line.

    Raises
    ------
    ValueError : the file is empty, has ragged lines or entries that are not non-negative integers.
    """
    path = Path(path)
    if path.is_dir():
        path = path / "nuslist"
    rows = [line.split() for line in path.read_text().splitlines() if line.strip()]
    if not rows or len({len(r) for r in rows}) != 1:
        raise ValueError(f"{path}: a nuslist needs the same number of indices on every non-empty line")
    try:
        points = np.array(rows, dtype=int)
    except ValueError as err:
        raise ValueError(f"{path}: nuslist entries must be integers ({err})") from None
    if (points < 0).any():
        raise ValueError(f"{path}: nuslist indices must be non-negative")
    return points[:, 0] if points.shape[1] == 1 else points
