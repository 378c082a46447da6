"""JSON building blocks shared by the views: plain values and plotly-ready traces."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

#: 1D traces longer than this are reduced to a min/max envelope for the browser.
MAX_TRACE_POINTS = 65536


def jsonable(value: Any) -> Any:
    """``value`` with NumPy / pandas scalars and containers turned into JSON types (NaN -> None)."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [jsonable(v) for v in value]
    if value is pd.NA:
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(frame: pd.DataFrame, digits: int = 3) -> list[dict[str, Any]]:
    """A DataFrame as a list of JSON-ready row dicts, floats rounded to ``digits``."""
    return jsonable(frame.round(digits).astype(object).to_dict(orient="records"))


def trace_1d(ppm: np.ndarray, data: np.ndarray, max_points: int = MAX_TRACE_POINTS) -> dict[str, Any]:
    """A line trace on an even ppm axis: ``x0``, ``dx`` and ``y`` scaled to a maximum of 1
    (rounded to 1e-4). Longer data are cut into bins shown by their minimum and maximum."""
    y = np.asarray(data, dtype=float)
    x0, dx = float(ppm[0]), float(ppm[1] - ppm[0])
    if y.size > max_points:
        step = math.ceil(y.size / (max_points // 2))
        bins = y[: y.size // step * step].reshape(-1, step)
        y = np.column_stack([bins.min(axis=1), bins.max(axis=1)]).ravel()
        x0, dx = x0 + dx * (step - 1) / 2, dx * step / 2
    top = float(np.abs(y).max()) or 1.0
    return {"x0": x0, "dx": dx, "y": np.round(y / top, 4).tolist(), "scale": top}
