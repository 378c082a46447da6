"""Writers for an :class:`~shiftnet.assignment.assign.Assignment`: NMReDATA 1.1 SDF, CSV, JSON.

NMReDATA (Pupier et al., Magn. Reson. Chem. 2018): SD tags on the structure with explicit H.
``NMREDATA_ASSIGNMENT`` lines are ``label, shift, atom numbers`` (1-based; 13C labels ``C<n>`` list
the equivalent carbons, 1H labels ``H<n>`` the H atoms on heavy atom ``n``); 1D tags start with
``Larmor=`` (MHz) and list ``shift, L=label`` per observed peak (peaks no atom explains have no
label); the HSQC tag lists ``carbon label/proton label`` per matched cross peak. Every line ends
with a backslash, as NMReDATA 1.1 asks.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
from rdkit import Chem

from .assign import Assignment

#: 13C Larmor frequency per MHz of 1H frequency (gyromagnetic ratio 13C / 1H).
CARBON_PER_PROTON = 0.25145


def _labels(assignment: Assignment, nucleus: str) -> pd.DataFrame:
    """One row per assigned site of ``nucleus``: label, observed ppm, peak index, atom numbers."""
    rows = assignment.frame[(assignment.frame["nucleus"] == nucleus) & (assignment.frame["peak_index"] >= 0)]
    mol, out = assignment.mol, []
    for (peak, ppm), group in rows.groupby(["peak_index", "observed_ppm"], sort=True):
        for _, site in group.groupby("predicted_ppm", sort=False):
            atoms = [int(a) for a in site["atom_index"]]
            if nucleus == "1H":
                atoms = [n.GetIdx() for a in atoms for n in mol.GetAtomWithIdx(a).GetNeighbors()
                         if n.GetAtomicNum() == 1]
            label = f"{'C' if nucleus == '13C' else 'H'}{int(site['atom_index'].iloc[0]) + 1}"
            out.append({"label": label, "ppm": float(ppm), "peak": int(peak), "atoms": atoms})
    return pd.DataFrame(out, columns=["label", "ppm", "peak", "atoms"])


def _assignment_text(labels: dict[str, pd.DataFrame]) -> str:
    lines = [f"{r.label}, {r.ppm:.4f}, {', '.join(str(a + 1) for a in r.atoms)}\\"
             for table in labels.values() for r in table.itertuples()]
    return "\n".join(lines)


def _one_d_text(assignment: Assignment, nucleus: str, labels: pd.DataFrame, larmor_mhz: float) -> str:
    lines = [f"Larmor={larmor_mhz:.2f}\\"]
    for index, ppm in enumerate(assignment.observed.peaks[nucleus].ppm):
        mine = labels[labels["peak"] == index]
        if mine.empty:
            lines.append(f"{ppm:.4f}\\")
        lines += [f"{ppm:.4f}, L={label}\\" for label in mine["label"]]
    return "\n".join(lines)


def _hsqc_text(assignment: Assignment, carbon: pd.DataFrame, larmor_mhz: float) -> str:
    """Matched cross peaks as ``C<n>/H<n>`` lines (the HSQC fit ties carbon and proton labels)."""
    lines = [f"Larmor={larmor_mhz * CARBON_PER_PROTON:.2f}\\", "CorType=HSQC\\"]
    for label in carbon["label"]:
        atom = int(label[1:]) - 1
        rows = assignment.frame[(assignment.frame["atom_index"] == atom) & (assignment.frame["nucleus"] == "1H")]
        if len(rows) and rows["peak_index"].iloc[0] >= 0:
            lines.append(f"{label}/H{atom + 1}\\")
    return "\n".join(lines)


def to_nmredata_mol(assignment: Assignment, larmor_mhz: float = 400.0) -> Chem.Mol:
    """The structure (explicit H) with NMReDATA 1.1 tags.

    Parameters
    ----------
    larmor_mhz : 1H spectrometer frequency in MHz (13C: times :data:`CARBON_PER_PROTON`).
    """
    mol = Chem.Mol(assignment.mol)
    labels = {n: _labels(assignment, n) for n in ("13C", "1H") if n in assignment.observed.peaks}
    mol.SetProp("NMREDATA_VERSION", "1.1\\")
    mol.SetProp("NMREDATA_LEVEL", "0\\")
    mol.SetProp("NMREDATA_SOLVENT", f"{assignment.solvent}\\")
    if assignment.smiles:
        mol.SetProp("NMREDATA_SMILES", f"{assignment.smiles}\\")
    mol.SetProp("NMREDATA_ASSIGNMENT", _assignment_text(labels))
    for nucleus, table in labels.items():
        larmor = larmor_mhz * (CARBON_PER_PROTON if nucleus == "13C" else 1.0)
        mol.SetProp(f"NMREDATA_1D_{nucleus}", _one_d_text(assignment, nucleus, table, larmor))
    if assignment.observed.hsqc is not None and "13C" in labels and "1H" in labels:
        mol.SetProp("NMREDATA_2D_13C_1J_1H", _hsqc_text(assignment, labels["13C"], larmor_mhz))
    return mol


def write_nmredata(assignment: Assignment, path: Path | str, larmor_mhz: float = 400.0) -> None:
    """Write the assignment as a one-record NMReDATA SDF file at ``path``."""
    with Chem.SDWriter(str(path)) as writer:
        writer.write(to_nmredata_mol(assignment, larmor_mhz))


def write_csv(assignment: Assignment, path: Path | str) -> None:
    """Write :attr:`Assignment.frame` as CSV (ppm to 4 decimals)."""
    assignment.frame.round(4).to_csv(path, index=False)


def to_json(assignment: Assignment) -> dict:
    """A JSON-ready dictionary: structure, offsets, scores and the per-atom rows."""
    frame = assignment.frame.round(4).replace({np.nan: None})
    return {"smiles": assignment.smiles, "solvent": assignment.solvent, "offset_ppm": assignment.offset_ppm,
            "log_likelihood": assignment.log_likelihood, "log_marginal": assignment.log_marginal,
            "atoms": frame.to_dict(orient="records")}


def write_json(assignment: Assignment, path: Path | str) -> None:
    """Write :func:`to_json` of the assignment to ``path``."""
    Path(path).write_text(json.dumps(to_json(assignment), indent=1))


ASSIGNMENT_FORMATS = (".sdf", ".csv", ".json")


def write_assignment(assignment: Assignment, path: Path | str, larmor_mhz: float = 400.0) -> Path:
    """Write an assignment in the format its suffix names: ``.sdf`` (NMReDATA), ``.csv`` or
    ``.json``; returns the path. Raises ``ValueError`` for another suffix."""
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix == ".sdf":
        write_nmredata(assignment, path, larmor_mhz)
    elif suffix == ".csv":
        write_csv(assignment, path)
    elif suffix == ".json":
        write_json(assignment, path)
    else:
        raise ValueError(f"cannot tell the format from {path.name!r}: use {', '.join(ASSIGNMENT_FORMATS)}")
    return path


def write_verification(verification, path: Path | str) -> Path:
    """Write the ranked candidates (:attr:`Verification.frame`) as ``.csv`` or ``.json``."""
    path = Path(path)
    frame = verification.frame.round(4)
    if path.suffix.lower() == ".csv":
        frame.to_csv(path, index=False)
    elif path.suffix.lower() == ".json":
        records = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
        path.write_text(json.dumps({"no_fit": verification.no_fit, "candidates": records}, indent=1))
    else:
        raise ValueError(f"cannot tell the format from {path.name!r}: use .csv or .json")
    return path
