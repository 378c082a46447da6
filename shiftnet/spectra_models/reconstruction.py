"""NUS reconstruction: the public :func:`reconstruct` (re-exported as ``shiftnet.spectra.reconstruct``).

Example
-------
>>> full = reconstruct(measured, schedule, 256, method="cnn")  # doctest: +SKIP
>>> spectrum = spectra.process(fid, nus=lambda m, s, n: reconstruct(m, s, n, method="cnn"))  # doctest: +SKIP
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Callable

import numpy as np

from ..spectra.ist import ist, noise_level

__all__ = ["reconstruct", "reconstructor", "signal_columns", "METHODS", "DEFAULT_MODELS", "check_schedule"]

METHODS = ("cnn", "lstm", "ist", "zero-fill")
_WEIGHTS = Path(__file__).resolve().parents[1] / "weights"
#: The shipped model file of each learned method.
DEFAULT_MODELS = {"cnn": _WEIGHTS / "nus_cnn.pt", "lstm": _WEIGHTS / "nus_lstm.pt"}
#: Columns per network call.
CHUNK = 1024
#: The networks skip a column whose zero-filled spectrum stays below this many times the noise
#: level of the data set (pure noise: nothing to restore; it is returned zero-filled, as IST
#: returns such a column after its first iteration).
SIGNAL_FACTOR = 5.0
#: Fewest columns for which the data set's noise level is estimated and columns are skipped:
#: the median needs most columns to be signal-free (a 1D call or a few crowded columns would
#: take sampling artefacts for noise and skip real signal).
MIN_COLUMNS = 32


def check_schedule(schedule: np.ndarray, size: int, measured_points: int) -> np.ndarray:
    """The schedule as an int array ``(m,)``; ValueError for anything that cannot be placed.

    Parameters
    ----------
    schedule : sorted, unique integer indices in ``0 .. size - 1``.
    size : points of the full grid.
    measured_points : rows of the measured data (must equal ``len(schedule)``).
    """
    if not (isinstance(size, (int, np.integer)) and size >= 1):
        raise ValueError(f"size must be a positive integer, got {size!r}")
    values = np.asarray(schedule)
    if values.ndim != 1 or values.size == 0:
        raise ValueError(f"the schedule must be a non-empty 1D array of indices, got shape {values.shape}")
    if not np.issubdtype(values.dtype, np.integer):
        if not np.all(np.isfinite(values)) or np.any(values != np.round(values)):
            raise ValueError("schedule indices must be integers")
        values = values.astype(int)
    if values.min() < 0 or values.max() >= size:
        raise ValueError(f"schedule indices must lie in 0..{size - 1}, got {values.min()}..{values.max()}")
    steps = np.diff(values)
    if np.any(steps == 0):
        raise ValueError(f"the schedule has duplicate indices: {sorted(set(values[1:][steps == 0].tolist()))[:5]}")
    if np.any(steps < 0):
        raise ValueError("the schedule must be sorted ascending (reorder measured rows with np.argsort(schedule))")
    if values.size != measured_points:
        raise ValueError(f"the schedule has {values.size} indices for {measured_points} measured points")
    return values.astype(int)


@lru_cache(maxsize=4)
def _model(path: str, device: str):
    """The loaded network of ``path`` on ``device`` (cached; torch is imported only here)."""
    from ..nn import resolve_device
    from .nus_model import load_nus_model

    model, _ = load_nus_model(Path(path))
    return model.to(resolve_device(device))


def signal_columns(grid: np.ndarray, mask: np.ndarray, factor: float = SIGNAL_FACTOR) -> np.ndarray:
    """Bool ``(k,)``: the columns of ``grid`` ``(size, k)`` whose zero-filled spectrum has a point
    above ``factor`` times the noise level of the data set.

    The noise level is the median over columns of each column's robust spectral noise
    (:func:`shiftnet.spectra.ist.noise_level`, std of the real part of the orthonormal
    spectrum), so that the peaks and sampling artefacts of a few columns do not raise it.
    For complex Gaussian noise a point exceeds 5 std with probability 4e-6. With fewer than
    :data:`MIN_COLUMNS` columns every column counts as signal.
    """
    if grid.shape[1] < MIN_COLUMNS:
        return np.ones(grid.shape[1], dtype=bool)
    spectrum = np.fft.fft(np.where(mask[:, None], grid, 0.0), axis=0, norm="ortho")
    sigma = float(np.median(noise_level(spectrum)))
    return np.abs(spectrum).max(axis=0) > factor * sigma


def _network(grid: np.ndarray, mask: np.ndarray, path: Path, device: str) -> np.ndarray:
    """Network reconstruction of the columns of ``grid`` ``(size, k)``; same shape."""
    import torch

    from .nus_model import network_input

    model = _model(str(path), device)
    target = next(model.parameters()).device
    out = np.empty_like(grid)
    with torch.inference_mode():
        for start in range(0, grid.shape[1], CHUNK):
            columns = grid[:, start:start + CHUNK].T
            inputs, scale = network_input(columns, mask)
            y = model(inputs.to(target)).cpu().double().numpy()
            out[:, start:start + CHUNK] = ((y[:, 0] + 1j * y[:, 1]) * scale[:, None]).T
    return out


def reconstruct(measured: np.ndarray, schedule: np.ndarray, size: int, method: str = "cnn",
                model: str | Path | None = None, device: str = "auto", skip_noise: bool = True) -> np.ndarray:
    """Complete a non-uniformly sampled signal.

    Parameters
    ----------
    measured : complex ``(m,)`` or ``(m, n)``: the measured points of the NUS dimension (axis
        0); every column is an independent problem.
    schedule : int ``(m,)``: the index of each row of ``measured`` on the full grid (sorted,
        unique, in ``0 .. size - 1``).
    size : complex points of the full grid (any size; the networks are length agnostic and were
        trained on 256 points).
    method : "cnn" (unrolled CNN), "lstm" (unrolled bidirectional LSTM), "ist" (iterative soft
        thresholding, NumPy) or "zero-fill" (zeros at the missing points).
    model : model file for "cnn" / "lstm" (default: the shipped :data:`DEFAULT_MODELS`).
    device : "auto" (CUDA when present), "cpu" or "cuda", for the networks.
    skip_noise : the networks leave the columns without signal (:func:`signal_columns`)
        zero-filled, which in a 2D spectrum is about half of them; False runs every column.
        Applies only from :data:`MIN_COLUMNS` columns on.

    Returns
    -------
    complex ``(size,)`` or ``(size, n)``: the complete time signal; the measured points are
    returned exactly (data consistency).

    Raises
    ------
    ValueError : unknown method; a schedule with indices out of range, duplicates, unsorted,
        or not one index per measured row.
    """
    if method not in METHODS:
        raise ValueError(f"unknown NUS reconstruction method {method!r}; use one of {', '.join(METHODS)}")
    data = np.asarray(measured)
    if data.ndim not in (1, 2):
        raise ValueError(f"measured must be 1D (m,) or 2D (m, n), got shape {data.shape}")
    schedule = check_schedule(schedule, size, data.shape[0])
    columns = data.reshape(data.shape[0], -1).astype(complex)
    mask = np.zeros(size, dtype=bool)
    mask[schedule] = True
    grid = np.zeros((size, columns.shape[1]), dtype=complex)
    grid[schedule] = columns
    if method == "ist":
        grid = ist(grid, mask)[0]
    elif method in DEFAULT_MODELS:
        keep = signal_columns(grid, mask) if skip_noise else np.ones(grid.shape[1], dtype=bool)
        if keep.any():
            grid[:, keep] = _network(grid[:, keep], mask, Path(model) if model else DEFAULT_MODELS[method], device)
    grid[schedule] = columns
    return grid.reshape((size,) + data.shape[1:])


def reconstructor(method: str = "cnn", **options) -> Callable[[np.ndarray, np.ndarray, int], np.ndarray]:
    """A ``nus=`` callable for :func:`shiftnet.spectra.process`: ``f(measured, schedule, size)``
    that accepts a schedule in acquisition order (as a Bruker ``nuslist`` is) by sorting the
    rows first, then calls :func:`reconstruct` with ``method`` and ``options``.

    Example
    -------
    >>> spectrum = spectra.process(fid, nus=reconstructor("cnn"))  # doctest: +SKIP
    """
    if method not in METHODS:
        raise ValueError(f"unknown NUS reconstruction method {method!r}; use one of {', '.join(METHODS)}")

    def nus(measured: np.ndarray, schedule: np.ndarray, size: int) -> np.ndarray:
        order = np.argsort(schedule, kind="stable")
        return reconstruct(np.asarray(measured)[order], np.asarray(schedule)[order], size, method, **options)

    nus.__name__ = f"reconstruct-{method}"
    return nus
