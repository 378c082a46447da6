"""The predict view: a structure -> shifts, simulated 13C / 1H spectra, drawing, downloads."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..results import MoleculeResult
from .drawing import molecule_svg
from .payload import records, trace_1d

#: Line widths of the simulated spectra (Hz): 13C lines wide enough to span a few points.
LINEWIDTH_HZ = {"13C": 3.0, "1H": 0.8}
#: Download formats of a prediction and their media types.
DOWNLOADS = {"csv": "text/csv", "sdf": "chemical/x-mdl-sdfile", "png": "image/png", "svg": "image/svg+xml"}


def predict_structure(structure: Any, solvent: str | None) -> MoleculeResult:
    """One prediction through :func:`shiftnet.predict`; ValueError with its reason when it failed."""
    from .. import predict

    result = predict(structure, solvent=solvent or None)[0]
    if not result.ok:
        raise ValueError(result.error)
    return result


def first_structure(path: Path, filename: str) -> Any:
    """The first structure of an uploaded .mol / .sdf file saved at ``path``, read by
    :func:`shiftnet.read_structures`; ValueError naming ``filename`` (not the server path)."""
    from ..readers import read_structures

    try:
        record = next(read_structures(path), None)
    except ValueError as exc:
        raise ValueError(str(exc).replace(str(path), filename)) from None
    if record is None or record.item is None:
        raise ValueError(f"{filename}: {record.error if record else 'no structure found'}")
    return record.item


def _signal_peaks(sim, parents: dict[int, int]) -> list[dict[str, Any]]:
    """One marker per simulated sample signal (multiplet): its shift, the top of its lines and
    the heavy atoms that carry it (1H: the atoms holding the protons)."""
    top = sim.peaks.groupby("signal")["height"].max()
    scale = float(np.abs(sim.spectrum.data).max()) or 1.0
    return [{"ppm": round(float(signal["shift_ppm"]), 3), "height": round(float(top[i]) / scale, 4),
             "atoms": sorted({parents[int(a)] for a in signal["atom_indices"]}), "n": int(signal["n_nuclei"]),
             "multiplicity": str(signal["multiplicity"])}
            for i, signal in sim.signals.iterrows() if signal["source"] == "sample"]


def _table(result: MoleculeResult) -> list[dict[str, Any]]:
    """13C per carbon and 1H per heavy atom (NMRShiftDB2 convention), with sigma."""
    carbon = result.nucleus("13C")[["atom_index", "shift_ppm", "sigma_ppm"]].assign(nucleus="13C", n_h=np.nan)
    proton = result.by_heavy_atom().rename(columns={"parent_index": "atom_index"})
    proton = proton.assign(nucleus="1H")[["atom_index", "shift_ppm", "sigma_ppm", "nucleus", "n_h"]]
    table = pd.concat([carbon, proton], ignore_index=True)
    table["element"] = [result.mol.GetAtomWithIdx(int(i)).GetSymbol() for i in table["atom_index"]]
    return records(table[["nucleus", "atom_index", "element", "n_h", "shift_ppm", "sigma_ppm"]])


def prediction_payload(result: MoleculeResult, obs_mhz: float) -> dict[str, Any]:
    """Everything the predict view shows: drawing, table and both simulated spectra at
    ``obs_mhz`` (1H frequency; 13C at the matching frequency), via
    :func:`shiftnet.spectra.simulate`."""
    from ..spectra import simulate
    from ..spectra.simulate import C_H_RATIO

    parents = dict(zip(result.shifts["atom_index"].astype(int), result.shifts["parent_index"].astype(int)))
    spectra = {}
    for nucleus, mhz in (("13C", obs_mhz * C_H_RATIO), ("1H", obs_mhz)):
        if (result.shifts["nucleus"] == nucleus).any():
            sim = simulate(result, nucleus=nucleus, obs_mhz=mhz, linewidth_hz=LINEWIDTH_HZ[nucleus])
            spectra[nucleus] = {**trace_1d(sim.spectrum.ppm, sim.spectrum.data), "obs_mhz": round(mhz, 2),
                                "peaks": _signal_peaks(sim, parents)}
    return {"smiles": result.smiles, "name": result.name, "solvent": result.solvent, "set_aside": result.set_aside,
            "svg": molecule_svg(result.mol), "table": _table(result), "spectra": spectra}


def download(result: MoleculeResult, fmt: str, obs_mhz: float) -> bytes:
    """The prediction as a file: CSV or SDF with NMReDATA tags (the CLI's writers in
    :mod:`shiftnet.export`), or the PNG / SVG picture of :func:`shiftnet.plot.plot_prediction`."""
    if fmt in ("png", "svg"):
        from ..plot import plot_prediction

        buffer = io.BytesIO()
        plot_prediction(result, obs_mhz=obs_mhz).savefig(buffer, format=fmt, dpi=120)
        return buffer.getvalue()
    from ..export import open_writer

    with tempfile.TemporaryDirectory(prefix="shiftnet-web-") as folder:
        path = Path(folder) / f"prediction.{fmt}"
        writer = open_writer(path)
        writer.write([result])
        writer.close()
        return path.read_bytes()
