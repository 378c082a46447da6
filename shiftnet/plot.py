"""Figures for chemists: spectra (ppm decreasing, 2D contours), simulations with their labels,
and predicted shifts drawn on the molecule beside their stick spectra.

Every function writes a file when given ``path`` (format from the suffix: .png, .svg or .pdf)
and returns that path; with ``path=None`` it returns the :class:`matplotlib.figure.Figure`.
Figures are drawn on their own Agg canvas, outside pyplot: nothing global (backend, open
figures) changes, and the module works without a display. matplotlib is imported here, so
import this module only when a figure is wanted.

Example
-------
>>> from shiftnet import spectra, plot
>>> sim = spectra.simulate("CC(C)Cc1ccc(C(C)C(=O)O)cc1", nucleus="13C")  # doctest: +SKIP
>>> plot.plot_simulation(sim, "ibuprofen_13c.png")  # doctest: +SKIP
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np
import pandas as pd
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.image import imread

if TYPE_CHECKING:
    from rdkit import Chem

    from .results import MoleculeResult
    from .spectra import SimulatedSpectrum, Spectrum

SUFFIXES = (".png", ".svg", ".pdf")
#: Colours: spectrum line, peak marks, positive and negative 2D contours.
LINE, MARK, POSITIVE, NEGATIVE = "black", "#c0392b", "#1f3c88", "#d35400"
LABEL_PT = 8.0
#: Above this many points a 1D trace is drawn as its min / max envelope (keeps SVGs small).
MAX_TRACE_POINTS = 12000


# ----------------------------------------------------------------------------- small helpers

def nucleus_text(nucleus: str) -> str:
    """``"13C"`` -> ``"$^{13}$C"`` (mass number as a mathtext superscript); others unchanged."""
    match = re.fullmatch(r"(\d+)([A-Z][a-z]?)", str(nucleus))
    return f"$^{{{match.group(1)}}}${match.group(2)}" if match else str(nucleus)


def nucleus_label(nucleus: str) -> str:
    """Axis label of a nucleus, e.g. ``"13C"`` -> ``"δ ¹³C / ppm"`` (mathtext superscript)."""
    return f"$\\delta$ {nucleus_text(nucleus)} / ppm"


def _figure(figsize: tuple[float, float]) -> Figure:
    """A new figure on its own Agg canvas (not registered with pyplot)."""
    fig = Figure(figsize=figsize)
    FigureCanvasAgg(fig)
    return fig


def _check_path(path: str | Path | None) -> Path | None:
    if path is None:
        return None
    path = Path(path)
    if path.suffix.lower() not in SUFFIXES:
        raise ValueError(f"figure format from the suffix: use one of {', '.join(SUFFIXES)}, got {path.name!r}")
    return path


def _finish(fig: Figure, path: Path | None) -> Figure | Path:
    """Save ``fig`` to ``path`` or return it."""
    if path is None:
        return fig
    fig.savefig(path, dpi=150)
    return path


def _atoms_text(atoms: Any) -> str:
    """``(5, 14)`` -> ``"5,14"``; strings as they are; empty for missing values."""
    if atoms is None or (isinstance(atoms, float) and np.isnan(atoms)):
        return ""
    if isinstance(atoms, str):
        return atoms
    if np.ndim(atoms) == 0:
        return str(int(atoms)) if float(atoms).is_integer() else str(atoms)
    return ",".join(str(int(a)) for a in atoms)


def _column(frame: pd.DataFrame, *names: str) -> str | None:
    return next((name for name in names if name in frame.columns), None)


def _envelope(x: np.ndarray, y: np.ndarray, max_points: int = MAX_TRACE_POINTS) -> tuple[np.ndarray, np.ndarray]:
    """Min / max per chunk (interleaved) when the trace has more points than a figure can show."""
    if y.size <= max_points:
        return x, y
    chunk = int(np.ceil(2 * y.size / max_points))
    n = y.size // chunk * chunk
    xs, ys = x[:n].reshape(-1, chunk), y[:n].reshape(-1, chunk)
    lo, hi = ys.argmin(axis=1), ys.argmax(axis=1)
    rows = np.arange(xs.shape[0])
    first = np.minimum(lo, hi)
    second = np.maximum(lo, hi)
    idx = np.stack([first, second], axis=1)
    return xs[rows[:, None], idx].ravel(), ys[rows[:, None], idx].ravel()


def _crop(ppm: np.ndarray, ppm_range: Sequence[float] | None) -> np.ndarray:
    """Boolean mask of the points inside ``ppm_range`` (all points for None)."""
    if ppm_range is None:
        return np.ones(ppm.size, dtype=bool)
    lo, hi = sorted(float(v) for v in ppm_range)
    mask = (ppm >= lo) & (ppm <= hi)
    if not mask.any():
        raise ValueError(f"no data between {lo} and {hi} ppm (axis {ppm.min():.2f} .. {ppm.max():.2f})")
    return mask


def _spread(u: np.ndarray, gap: float) -> np.ndarray:
    """Positions near ``u`` (sorted or not, in [0, 1]) at least ``gap`` apart, kept in [0, 1].

    Overlapping labels are merged into clusters centred on the mean of their wishes, until no two
    clusters overlap (the usual 1D label-repulsion scheme).
    """
    order = np.argsort(u, kind="stable")
    want = np.asarray(u, dtype=float)[order]
    gap = min(gap, 1.0 / max(len(want), 1))
    clusters = [[i] for i in range(len(want))]
    while True:
        starts = []
        for members in clusters:
            start = np.mean([want[i] - (k * gap) for k, i in enumerate(members)])
            starts.append(min(max(start, 0.0), 1.0 - gap * (len(members) - 1)))
        for c in range(len(clusters) - 1):
            if starts[c] + gap * len(clusters[c]) > starts[c + 1] + 1e-12:
                clusters[c:c + 2] = [clusters[c] + clusters[c + 1]]
                break
        else:
            break
    pos = np.empty(len(want))
    for members, start in zip(clusters, starts):
        for k, i in enumerate(members):
            pos[i] = start + k * gap
    out = np.empty_like(pos)
    out[order] = pos
    return out


def _peak_heights(ppm: np.ndarray, data: np.ndarray, shifts: np.ndarray, half_window: int = 3) -> np.ndarray:
    """Highest value of ``data`` within a few points of each shift."""
    heights = np.empty(len(shifts))
    for k, x in enumerate(shifts):
        i = int(np.argmin(np.abs(ppm - x)))
        heights[k] = data[max(i - half_window, 0):i + half_window + 1].max()
    return heights


# ----------------------------------------------------------------------------- 1D drawing

def _label_sticks(ax, x: np.ndarray, top: np.ndarray, labels: Sequence[str], xlim: tuple[float, float],
                  y_range: tuple[float, float], fontsize: float = LABEL_PT) -> float:
    """Markers above peaks, labels in a band above the data, elbow leader lines between them.

    ``xlim`` is (left, right) in ppm (left > right), ``y_range`` (bottom, top) of the data.
    Returns the y top the axes needs so that the labels fit.
    """
    bottom, data_top = y_range
    span = data_top - bottom or 1.0
    mark_y = top + 0.02 * span
    ax.plot(x, mark_y, linestyle="none", marker="v", markersize=3.5, color=MARK, zorder=3)
    if not any(labels):
        return data_top + 0.08 * span
    fig = ax.figure
    box = ax.get_position()
    width_in, height_in = fig.get_figwidth() * box.width, fig.get_figheight() * box.height
    left, right = xlim
    u = (left - np.asarray(x, dtype=float)) / (left - right)
    gap = fontsize * 1.35 / 72.0 / width_in
    u_label = _spread(np.clip(u, 0.0, 1.0), gap)
    x_label = left - u_label * (left - right)
    band = data_top + 0.16 * span
    knee_hi, knee_lo = band - 0.02 * span, data_top + 0.06 * span
    for xp, xl, ym, text in zip(x, x_label, mark_y, labels):
        if not text:
            continue
        ax.plot([xl, xl, xp, xp], [band - 0.005 * span, knee_hi, knee_lo, max(ym + 0.015 * span, 0)],
                color="0.55", linewidth=0.5, zorder=2)
        ax.text(xl, band, text, rotation=90, ha="center", va="bottom", fontsize=fontsize, color="0.1",
                zorder=4)
    longest = max(len(t) for t in labels) * fontsize * 0.62 + 4.0
    need = min(longest / 72.0 / height_in, 0.6)
    return bottom + (band - bottom) / (1.0 - need)


def _plot_1d(ax, spectrum: Spectrum, peaks: pd.DataFrame | None, ppm_range) -> None:
    ppm = np.asarray(spectrum.ppm, dtype=float)
    data = np.asarray(spectrum.data, dtype=float)
    mask = _crop(ppm, ppm_range)
    x, y = ppm[mask], data[mask]
    xs, ys = _envelope(x, y)
    ax.plot(xs, ys, color=LINE, linewidth=0.6)
    left, right = (float(x.max()), float(x.min())) if ppm_range is None else tuple(sorted(ppm_range, reverse=True))
    ax.set_xlim(left, right)
    bottom, top = float(y.min()), float(y.max())
    span = top - bottom or 1.0
    y_top = top + 0.05 * span
    if peaks is not None and len(peaks):
        col = _column(peaks, "shift_ppm", "ppm")
        if col is None:
            raise ValueError("peaks need a 'shift_ppm' (or 'ppm') column")
        rows = peaks[(peaks[col] <= left) & (peaks[col] >= right)]
        shifts = rows[col].to_numpy(dtype=float)
        heights = rows["height"].to_numpy(dtype=float) if "height" in rows else _peak_heights(ppm, data, shifts)
        label_col = _column(rows, "label", "atoms", "atom_indices")
        labels = [_atoms_text(a) for a in rows[label_col]] if label_col else [""] * len(rows)
        y_top = _label_sticks(ax, shifts, heights, labels, (left, right), (bottom, top))
    ax.set_ylim(bottom - 0.03 * span, y_top)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(nucleus_label(spectrum.nucleus if isinstance(spectrum.nucleus, str) else spectrum.nucleus[-1]))
    ax.minorticks_on()


# ----------------------------------------------------------------------------- 2D drawing

def contour_levels(data: np.ndarray, n_levels: int = 12, n_sigma: float = 5.0,
                   floor: float = 0.02) -> np.ndarray:
    """Geometric contour levels from a few noise levels up to the largest |value|.

    Parameters
    ----------
    data : 2D spectrum.
    n_levels : number of (positive) levels.
    n_sigma : lowest level in units of the noise std (estimated from the median absolute
        deviation, above the median for magnitude data).
    floor : lowest level at least this fraction of the maximum (noise-free simulations).

    Returns
    -------
    Increasing positive levels, shape ``(n_levels,)``.
    """
    values = np.asarray(data, dtype=float)
    peak = float(np.abs(values).max()) or 1.0
    median = float(np.median(values))
    sigma = 1.4826 * float(np.median(np.abs(values - median)))
    start = max(abs(median) + n_sigma * sigma, floor * peak)
    start = min(start, 0.5 * peak)
    return start * (peak / start) ** (np.arange(n_levels) / (n_levels - 1))


def _place_2d_labels(ax, x: np.ndarray, y: np.ndarray, labels: Sequence[str], fontsize: float = LABEL_PT,
                     cross_pt: float = 5.0) -> None:
    """Greedy label placement beside each cross: the first of a ring of offsets whose box
    (estimated from the text length) overlaps no earlier label and no other cross."""
    fig = ax.figure
    fig.canvas.draw()
    scale = fig.dpi / 72.0
    points = ax.transData.transform(np.column_stack([x, y])) if len(x) else np.empty((0, 2))
    arm = cross_pt * scale
    crosses = [(px - arm, py - arm, px + arm, py + arm) for px, py in points]
    taken: list[tuple[float, float, float, float]] = []
    directions = [(1, 1), (-1, 1), (1, -1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1)]
    offsets = [(dx * r, dy * r) for r in (3.5, 9.0, 15.0) for dx, dy in directions]

    def free(box, own):
        return not any(box[0] < t[2] and t[0] < box[2] and box[1] < t[3] and t[1] < box[3]
                       for k, t in enumerate(crosses + taken) if k != own)

    for k, ((px, py), xd, yd, text) in enumerate(zip(points, x, y, labels)):
        if not text:
            continue
        w, h = len(text) * fontsize * 0.62 * scale, fontsize * 1.05 * scale
        chosen = None
        for dx, dy in offsets:
            ha = "left" if dx > 0 else "right" if dx < 0 else "center"
            va = "bottom" if dy > 0 else "top" if dy < 0 else "center"
            x0 = px + dx * scale - {"left": 0.0, "right": w, "center": w / 2}[ha]
            y0 = py + dy * scale - {"bottom": 0.0, "top": h, "center": h / 2}[va]
            box = (x0, y0, x0 + w, y0 + h)
            if free(box, k):
                chosen = (dx, dy, ha, va, box)
                break
        if chosen is None:
            x0, y0 = px + offsets[0][0] * scale, py + offsets[0][1] * scale
            chosen = (*offsets[0], "left", "bottom", (x0, y0, x0 + w, y0 + h))
        dx, dy, ha, va, box = chosen
        taken.append(box)
        ax.annotate(text, (xd, yd), xytext=(dx, dy), textcoords="offset points", ha=ha, va=va,
                    fontsize=fontsize, color=MARK)


def _plot_2d(ax, spectrum: Spectrum, peaks: pd.DataFrame | None, ppm_range, n_levels: int) -> None:
    ppm1, ppm2 = (np.asarray(a, dtype=float) for a in spectrum.ppm)
    ranges = ppm_range if ppm_range is not None else (None, None)
    m1, m2 = _crop(ppm1, ranges[0]), _crop(ppm2, ranges[1])
    data = np.asarray(spectrum.data, dtype=float)[np.ix_(m1, m2)]
    x, y = ppm2[m2], ppm1[m1]
    levels = contour_levels(data, n_levels=n_levels)
    ax.contour(x, y, data, levels=levels, colors=POSITIVE, linewidths=0.6, zorder=2)
    if (data < -levels[0]).any():
        ax.contour(x, y, data, levels=-levels[::-1], colors=NEGATIVE, linewidths=0.6, linestyles="solid",
                   zorder=2)
    ax.set_xlim(float(x.max()), float(x.min()))
    ax.set_ylim(float(y.max()), float(y.min()))
    f1, f2 = spectrum.nucleus if isinstance(spectrum.nucleus, tuple) else (spectrum.nucleus, spectrum.nucleus)
    ax.set_xlabel(nucleus_label(f2))
    ax.set_ylabel(nucleus_label(f1))
    ax.yaxis.tick_right()
    ax.yaxis.set_label_position("right")
    ax.minorticks_on()
    if peaks is not None and len(peaks):
        c1, c2 = _column(peaks, "shift_ppm_f1", "ppm_f1"), _column(peaks, "shift_ppm_f2", "ppm_f2")
        if c1 is None or c2 is None:
            raise ValueError("2D peaks need 'shift_ppm_f1' and 'shift_ppm_f2' (or 'ppm_f1', 'ppm_f2') columns")
        inside = peaks[peaks[c1].between(y.min(), y.max()) & peaks[c2].between(x.min(), x.max())]
        px, py = inside[c2].to_numpy(dtype=float), inside[c1].to_numpy(dtype=float)
        sample = (inside["source"] == "sample").to_numpy() if "source" in inside else np.ones(len(inside), bool)
        ax.plot(px[sample], py[sample], linestyle="none", marker="+", markersize=10, markeredgewidth=0.6,
                color=MARK, alpha=0.8, zorder=3)
        ax.plot(px[~sample], py[~sample], linestyle="none", marker="x", markersize=5, markeredgewidth=0.5,
                color="grey", alpha=0.8, zorder=3)   # solvent, artefacts
        label_col = _column(inside, "label", "atoms", "atom_indices")
        if label_col:
            _place_2d_labels(ax, px, py, [_atoms_text(a) for a in inside[label_col]])


def _default_title(spectrum: Spectrum) -> str:
    nuclei = spectrum.nucleus if isinstance(spectrum.nucleus, tuple) else (spectrum.nucleus,)
    mhz = spectrum.obs_mhz if isinstance(spectrum.obs_mhz, tuple) else (spectrum.obs_mhz,)
    what = "-".join(nucleus_text(n) for n in reversed(nuclei)) + f", {mhz[-1]:.1f} MHz"
    if spectrum.source is not None:
        src = Path(spectrum.source)
        return f"{src.parent.name}/{src.name}  ({what})"
    return what


# ----------------------------------------------------------------------------- public API

def plot_spectrum(spectrum: Spectrum, path: str | Path | None = None, peaks: pd.DataFrame | None = None,
                  title: str | None = None, *, ppm_range: Sequence | None = None,
                  n_levels: int = 12) -> Figure | Path:
    """Plot a 1D spectrum (line, ppm decreasing) or a 2D spectrum (contours, TopSpin axes).

    Parameters
    ----------
    spectrum : :class:`shiftnet.spectra.Spectrum`, 1D or 2D (f1 vertical, f2 horizontal).
    path : output file (.png, .svg, .pdf); None returns the Figure.
    peaks : optional peak table. 1D: ``shift_ppm`` (or ``ppm``), optional ``height`` (else
        read from the data) and labels from ``label``, ``atoms`` or ``atom_indices`` (atom
        numbers as a list / tuple / str). 2D: ``shift_ppm_f1`` and ``shift_ppm_f2`` (or
        ``ppm_f1``, ``ppm_f2``), labels as for 1D.
    title : figure title; None: source folder, nucleus and frequency; "" for none.
    ppm_range : 1D ``(low, high)`` ppm window; 2D ``((f1 low, f1 high), (f2 low, f2 high))``
        with None for a full axis.
    n_levels : 2D: number of contour levels of each sign.

    Returns
    -------
    The written path, or the Figure when ``path`` is None.
    """
    path = _check_path(path)
    if spectrum.ndim == 1:
        fig = _figure((10, 4.2))
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.04, right=0.98, bottom=0.14, top=0.9)
        _plot_1d(ax, spectrum, peaks, ppm_range)
    else:
        fig = _figure((7.5, 7))
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.06, right=0.88, bottom=0.09, top=0.93)
        _plot_2d(ax, spectrum, peaks, ppm_range, n_levels)
    title = _default_title(spectrum) if title is None else title
    if title:
        ax.set_title(title, fontsize=11, loc="left")
    return _finish(fig, path)


def plot_comparison(spectra: Sequence[Spectrum], labels: Sequence[str], path: str | Path | None = None,
                    title: str | None = None) -> Figure | Path:
    """Several versions of one spectrum: 1D stacked (first in grey on top, the next in colour
    below), 2D as contour panels side by side (e.g. zero-filled NUS beside its reconstruction).

    Parameters
    ----------
    spectra : Spectra on the same axes, all 1D or all 2D.
    labels : one legend entry / panel title per spectrum.
    path : output file (.png, .svg, .pdf); None returns the Figure.
    title : figure title; "" or None for none.
    """
    path = _check_path(path)
    if len(spectra) != len(labels) or not spectra:
        raise ValueError("give one label per spectrum (at least one spectrum)")
    if spectra[0].ndim == 1:
        fig = _figure((10, 4.2))
        ax = fig.add_subplot()
        fig.subplots_adjust(left=0.04, right=0.98, bottom=0.14, top=0.9)
        height = max(float(np.ptp(np.asarray(s.data, dtype=float))) for s in spectra)
        for number, (spectrum, label) in enumerate(zip(spectra, labels)):
            x, y = _envelope(np.asarray(spectrum.ppm, dtype=float), np.asarray(spectrum.data, dtype=float))
            lift = 0.3 * height * (len(spectra) - 1 - number)  # stacked, first on top, so none hides another
            ax.plot(x, y + lift, color="0.45" if number == 0 else f"C{number - 1}", linewidth=0.7, label=label)
        ax.invert_xaxis()
        ax.set_yticks([])
        ax.set_xlabel(nucleus_label(spectra[0].nucleus if isinstance(spectra[0].nucleus, str) else spectra[0].nucleus[-1]))
        ax.legend(loc="upper left", frameon=False)
    else:
        fig = _figure((6.5 * len(spectra), 6.5))
        for number, (spectrum, label) in enumerate(zip(spectra, labels)):
            ax = fig.add_subplot(1, len(spectra), number + 1)
            _plot_2d(ax, spectrum, None, None, 12)
            ax.set_title(label, fontsize=11, loc="left")
        fig.subplots_adjust(left=0.05, right=0.93, bottom=0.1, top=0.88, wspace=0.35)
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return _finish(fig, path)


def _h_parents(mol: Chem.Mol | None) -> dict[int, int]:
    if mol is None:
        return {}
    return {a.GetIdx(): a.GetNeighbors()[0].GetIdx() for a in mol.GetAtoms()
            if a.GetAtomicNum() == 1 and a.GetDegree() == 1}


def simulation_labels(sim: SimulatedSpectrum, mol: Chem.Mol | None = None) -> pd.DataFrame:
    """One labelled mark per signal of a simulation (what :func:`plot_simulation` draws).

    1D: per signal (multiplet) ``shift_ppm``, ``height`` (tallest line of the signal in the
    shown spectrum) and ``label``: atom numbers of the signal (1H: numbers of the H atoms, or,
    with ``mol``, of the heavy atoms carrying them, followed by multiplicity and number of H,
    e.g. ``"C5,14  d, 2H"``; solvent and impurity signals by name). HSQC: one row per cross
    peak with the carbons' atom numbers.
    """
    peaks = sim.peaks
    if sim.spectrum.ndim == 2:
        labels = [_atoms_text(a) if s == "sample" else "" for a, s in zip(peaks["atom_indices"], peaks["source"])]
        return pd.DataFrame({"shift_ppm_f1": peaks["shift_ppm_f1"], "shift_ppm_f2": peaks["shift_ppm_f2"],
                             "label": labels})
    parents = _h_parents(mol)
    symbols = {a.GetIdx(): a.GetSymbol() for a in mol.GetAtoms()} if mol is not None else {}
    ppm, data = np.asarray(sim.spectrum.ppm), np.asarray(sim.spectrum.data)
    rows = []
    for s, signal in sim.signals.iterrows():
        lines = peaks[peaks["signal"] == s]
        if lines.empty:
            continue
        lo, hi = lines["shift_ppm"].min(), lines["shift_ppm"].max()
        pad = 3 * float(lines["width_hz"].iloc[0]) / float(sim.spectrum.obs_mhz)
        inside = (ppm >= lo - pad) & (ppm <= hi + pad)
        height = float(data[inside].max()) if inside.any() else float(lines["height"].max())
        if signal["source"] != "sample":
            label = str(signal["name"])
        elif parents and sim.spectrum.nucleus == "1H":
            heavy = sorted({parents.get(int(a), int(a)) for a in signal["atom_indices"]})
            elements = {symbols.get(a, "") for a in heavy}
            label = (elements.pop() + _atoms_text(heavy) if len(elements) == 1
                     else ",".join(symbols.get(a, "") + str(a) for a in heavy))
        else:
            label = _atoms_text(signal["atom_indices"])
        if signal["source"] == "sample" and sim.spectrum.nucleus == "1H":
            label += f"  {signal['multiplicity']}, {int(signal['n_nuclei'])}H"
        rows.append((float(signal["shift_ppm"]), height, label))
    return pd.DataFrame(rows, columns=["shift_ppm", "height", "label"])


def plot_simulation(sim: SimulatedSpectrum, path: str | Path | None = None, *, mol: Chem.Mol | None = None,
                    title: str | None = None, ppm_range: Sequence | None = None) -> Figure | Path:
    """Plot a simulated spectrum with its signals labelled by atom number.

    Parameters
    ----------
    sim : result of :func:`shiftnet.spectra.simulate` (1D 13C / 1H or HSQC).
    path : output file (.png, .svg, .pdf); None returns the Figure.
    mol : the structure with explicit H (e.g. ``result.mol``); 1H signals are then labelled by
        the heavy atom carrying the H instead of the H atoms' own numbers.
    title : None: "Simulated <nucleus>, <MHz> MHz"; "" for none.
    ppm_range : as in :func:`plot_spectrum`.

    Returns
    -------
    The written path, or the Figure when ``path`` is None.
    """
    spec = sim.spectrum
    if title is None:
        nuclei = spec.nucleus if isinstance(spec.nucleus, tuple) else (spec.nucleus,)
        mhz = spec.obs_mhz if isinstance(spec.obs_mhz, tuple) else (spec.obs_mhz,)
        kind = f"{nucleus_text('1H')}-{nucleus_text('13C')} HSQC" if spec.ndim == 2 else nucleus_text(nuclei[0])
        noise = f", SNR {sim.params['snr']:g}" if sim.params.get("snr") else ""
        title = f"Simulated {kind}, {mhz[-1]:.1f} MHz{noise}"
    return plot_spectrum(spec, path, peaks=simulation_labels(sim, mol), title=title, ppm_range=ppm_range)


# ----------------------------------------------------------------------------- predictions

def molecule_image(result: MoleculeResult, size: int = 900) -> np.ndarray:
    """RGBA image (``(size, size, 4)`` floats) of the heavy-atom structure with atom numbers and
    predicted shifts as atom notes: ``"5: 123.4 / 7.15"`` (13C / mean 1H of the atom's H)."""
    carbon = result.nucleus("13C").groupby("atom_index")["shift_ppm"].first().to_dict()
    hydrogen = result.by_heavy_atom().set_index("parent_index")["shift_ppm"].to_dict()
    return annotated_structure(result.mol, _shift_notes(carbon, hydrogen), size)


def _shift_notes(carbon: dict[int, float], hydrogen: dict[int, float]) -> dict[int, str]:
    """Atom notes ``"13C / 1H"`` from per-atom 13C and per-heavy-atom 1H values (ppm)."""
    notes = {}
    for i in set(carbon) | set(hydrogen):
        values = ([f"{carbon[i]:.1f}"] if i in carbon else []) + ([f"{hydrogen[i]:.2f}"] if i in hydrogen else [])
        notes[i] = " / ".join(values)
    return notes


def depiction(mol, notes: dict[int, str] | None = None):
    """``mol``'s heavy atoms with 2D coordinates, each carrying its input atom number (int
    property ``input_index``) and an atom note ``"i: notes[i]"`` (or ``"i"``): what every
    structure picture of the package draws."""
    from rdkit import Chem
    from rdkit.Chem import rdDepictor

    notes = notes or {}
    mol = Chem.Mol(mol)
    for atom in mol.GetAtoms():
        atom.SetIntProp("input_index", atom.GetIdx())
    heavy = Chem.RemoveHs(mol, sanitize=False)
    heavy.UpdatePropertyCache(strict=False)
    rdDepictor.Compute2DCoords(heavy, useRingTemplates=True)
    for atom in heavy.GetAtoms():
        i = atom.GetIntProp("input_index")
        atom.SetProp("atomNote", f"{i}: {notes[i]}" if notes.get(i) else str(i))
    return heavy


def annotated_structure(mol, notes: dict[int, str], size: int = 900) -> np.ndarray:
    """RGBA image of ``mol``'s heavy atoms with input atom numbers, plus ``notes[i]`` after
    atom ``i``'s number (``"i: note"``)."""
    from rdkit.Chem.Draw import rdMolDraw2D

    heavy = depiction(mol, notes)
    drawer = rdMolDraw2D.MolDraw2DCairo(size, size)
    options = drawer.drawOptions()
    options.annotationFontScale = 0.55
    options.minFontSize = 14
    options.padding = 0.05
    options.clearBackground = True
    options.prepareMolsBeforeDrawing = False  # prepared below, without adding chiral H
    drawer.DrawMolecule(rdMolDraw2D.PrepareMolForDrawing(heavy, addChiralHs=False))
    drawer.FinishDrawing()
    return imread(io.BytesIO(drawer.GetDrawingText()), format="png")


def _sticks(ax, shifts: np.ndarray, heights: np.ndarray, labels: list[str], nucleus: str,
            xlim: tuple[float, float], faint: np.ndarray | None = None) -> None:
    """Stick spectrum; ``faint`` (bool per stick) draws those sticks dashed and grey."""
    left, right = xlim
    faint = np.zeros(len(shifts), dtype=bool) if faint is None else np.asarray(faint, dtype=bool)
    ax.vlines(shifts[~faint], 0, heights[~faint], color=POSITIVE, linewidth=1.6, zorder=2)
    ax.vlines(shifts[faint], 0, heights[faint], color="0.5", linewidth=1.4, linestyles=(0, (3, 2)), zorder=2)
    ax.axhline(0, color="0.3", linewidth=0.6, zorder=1)
    ax.set_xlim(left, right)
    top = float(heights.max())
    y_top = _label_sticks(ax, shifts, heights, labels, (left, right), (0.0, top))
    ax.set_ylim(-0.03 * top, y_top)
    ax.set_yticks([])
    for side in ("left", "right", "top"):
        ax.spines[side].set_visible(False)
    ax.set_xlabel(nucleus_label(nucleus))
    ax.minorticks_on()


def _window(shifts: np.ndarray, default: tuple[float, float], pad: float) -> tuple[float, float]:
    """(left, right) ppm limits: the usual window, widened to hold every shift."""
    lo, hi = default
    if shifts.size:
        lo, hi = min(lo, float(shifts.min()) - pad), max(hi, float(shifts.max()) + pad)
    return hi, lo


def plot_prediction(result: MoleculeResult, path: str | Path | None = None, obs_mhz: float = 400.0,
                    *, title: str | None = None) -> Figure | Path:
    """Predicted shifts on the structure (left) and as 13C / 1H stick spectra (right).

    Left: heavy atoms with their input atom numbers and notes ``"number: 13C / 1H"`` (the 1H
    value is the mean of the atom's H). Right, top: 13C sticks (height = number of carbons
    with that shift), bottom: 1H sticks per heavy atom (height = number of H; exchangeable H
    on O / N / S dashed grey), labelled with the heavy atoms' numbers.

    Parameters
    ----------
    result : one :class:`shiftnet.MoleculeResult` from :func:`shiftnet.predict`.
    path : output file (.png, .svg, .pdf; the structure is always a raster image); None
        returns the Figure.
    obs_mhz : spectrometer 1H frequency in MHz (shown in the title of the 1H panel; the stick
        spectra themselves do not depend on it).
    title : None: the name or SMILES of the molecule; "" for none.

    Raises
    ------
    ValueError : the result is a failed prediction (its ``error`` is the message).
    """
    if not result.ok or result.mol is None:
        raise ValueError(f"cannot plot a failed prediction: {result.error}")
    path = _check_path(path)
    fig = _figure((14, 6.8))
    grid = fig.add_gridspec(2, 2, width_ratios=(1.0, 1.25), left=0.01, right=0.98, bottom=0.09, top=0.9,
                            wspace=0.04, hspace=0.38)
    mol_ax = fig.add_subplot(grid[:, 0])
    mol_ax.imshow(molecule_image(result), interpolation="lanczos")
    mol_ax.set_axis_off()
    mol_ax.text(0.5, 0.0, "atom number: $\\delta$ $^{13}$C / $\\delta$ $^{1}$H (mean), ppm",
                transform=mol_ax.transAxes, ha="center", va="top", fontsize=9, color="0.3")
    carbons = result.nucleus("13C")
    c_ax, h_ax = fig.add_subplot(grid[0, 1]), fig.add_subplot(grid[1, 1])
    if len(carbons):
        groups = carbons.groupby(carbons["shift_ppm"].round(3), sort=False)["atom_index"].apply(list)
        shifts = np.array(groups.index, dtype=float)
        _sticks(c_ax, shifts, np.array([len(a) for a in groups], dtype=float), [_atoms_text(a) for a in groups],
                "13C", _window(shifts, (0.0, 200.0), 5.0))
    else:
        c_ax.set_axis_off()
    per_heavy = result.by_heavy_atom()
    if len(per_heavy):
        groups = per_heavy.groupby(per_heavy["shift_ppm"].round(4), sort=False)
        shifts = np.array(list(groups.groups), dtype=float)
        heights = groups["n_h"].sum().to_numpy(dtype=float)
        labels = [_atoms_text(a) for a in groups["parent_index"].apply(list)]
        exchangeable = groups["exchangeable"].all().to_numpy(dtype=bool)
        _sticks(h_ax, shifts, heights, labels, "1H", _window(shifts, (0.0, 10.0), 0.5), exchangeable)
    else:
        h_ax.set_axis_off()
    c_ax.set_title("predicted $^{13}$C", fontsize=10, loc="left")
    h_ax.set_title(f"predicted $^{{1}}$H, {obs_mhz:g} MHz (height: number of H; dashed: exchangeable)",
                   fontsize=10, loc="left")
    title = (result.name or result.smiles or "") if title is None else title
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return _finish(fig, path)


# ----------------------------------------------------------------------------- assignments

def plot_assignment(assignment, path: str | Path | None = None, *, title: str | None = None) -> Figure | Path:
    """An assignment: the structure with the observed shifts on its atoms (left) and the
    observed 13C / 1H peaks as sticks labelled with their atoms (right; unexplained peaks grey
    and dashed, labelled "?").

    Parameters
    ----------
    assignment : a :class:`shiftnet.Assignment` from :func:`shiftnet.assign`.
    path : output file (.png, .svg, .pdf); None returns the Figure.
    title : None: the SMILES; "" for none.
    """
    path = _check_path(path)
    frame = assignment.frame[assignment.frame["peak_index"] >= 0]
    observed = {n: frame[frame["nucleus"] == n].set_index("atom_index")["observed_ppm"].to_dict()
                for n in ("13C", "1H")}
    nuclei = [n for n in ("13C", "1H") if n in assignment.observed.peaks]
    fig = _figure((14, 3.4 * max(len(nuclei), 1) + 0.6))
    grid = fig.add_gridspec(max(len(nuclei), 1), 2, width_ratios=(1.0, 1.25), left=0.01, right=0.98,
                            bottom=0.12, top=0.88, wspace=0.04, hspace=0.45)
    mol_ax = fig.add_subplot(grid[:, 0])
    mol_ax.imshow(annotated_structure(assignment.mol, _shift_notes(observed["13C"], observed["1H"])),
                  interpolation="lanczos")
    mol_ax.set_axis_off()
    mol_ax.text(0.5, 0.0, "atom number: observed $\\delta$ $^{13}$C / $\\delta$ $^{1}$H, ppm",
                transform=mol_ax.transAxes, ha="center", va="top", fontsize=9, color="0.3")
    for row, nucleus in enumerate(nuclei):
        peaks = assignment.observed.peaks[nucleus]
        rows = frame[frame["nucleus"] == nucleus]
        atoms = [sorted(rows.loc[rows["peak_index"] == k, "atom_index"].tolist()) for k in range(len(peaks))]
        shifts = np.asarray(peaks.ppm, dtype=float)
        heights = np.array([max(len(a), 1) for a in atoms], dtype=float)
        if nucleus == "1H" and np.isfinite(peaks.integral).any():
            heights = np.where(np.isfinite(peaks.integral), peaks.integral, heights)
        ax = fig.add_subplot(grid[row, 1])
        default = (0.0, 200.0) if nucleus == "13C" else (0.0, 10.0)
        _sticks(ax, shifts, heights, [_atoms_text(a) if a else "?" for a in atoms], nucleus,
                _window(shifts, default, 5.0 if nucleus == "13C" else 0.5), np.array([not a for a in atoms]))
        ax.set_title(f"observed {nucleus_text(nucleus)} peaks and their atoms", fontsize=10, loc="left")
    title = (assignment.smiles or "") if title is None else title
    if title:
        fig.suptitle(title, x=0.01, ha="left", fontsize=12)
    return _finish(fig, path)
