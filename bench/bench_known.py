"""Sanity check a chemist can read: the shipped model on well-known molecules in their usual
solvents against literature shifts (Fulmer et al., Organometallics 2010, 29, 2176 for the
solvents-table compounds; SDBS-type literature values for the drugs; ibuprofen as measured in
../shared/data/raw/lucyng_ibuprofen).

The comparison is by sorted lists per nucleus (symmetry-equivalent atoms once; 1H per heavy atom
carrying H, exchangeable H only where the literature list has them), so it shows the size of
errors, not swapped assignments: ``worst`` is the largest |predicted - literature| of the sorted
pairs, ``sigma`` the model's largest sigma on the molecule.

    python bench/bench_known.py
"""

from __future__ import annotations

import numpy as np
from rdkit import Chem

from shiftnet.shifts.predict import predict

from _common import print_header

#: name, SMILES, solvent, literature 13C, literature 1H, 1H list includes exchangeable H
KNOWN = [
    ("ethyl acetate", "CCOC(C)=O", "CDCl3", (171.1, 60.5, 21.0, 14.2), (4.12, 2.05, 1.26), False),
    ("toluene", "Cc1ccccc1", "CDCl3", (137.9, 129.2, 128.3, 125.3, 21.5), (7.25, 7.17, 7.17, 2.36), False),
    ("aspirin", "CC(=O)Oc1ccccc1C(=O)O", "CDCl3", (170.3, 169.8, 151.3, 134.9, 132.5, 126.2, 124.0, 122.3, 21.0),
     (8.12, 7.62, 7.35, 7.14, 2.36), False),
    ("paracetamol", "CC(=O)Nc1ccc(O)cc1", "DMSO-d6", (167.6, 153.2, 131.1, 120.9, 115.1, 23.8),
     (9.64, 9.14, 7.34, 6.68, 1.98), True),
    ("caffeine", "Cn1cnc2c1c(=O)n(C)c(=O)n2C", "CDCl3", (155.4, 151.7, 148.7, 141.4, 107.6, 33.6, 29.7, 27.9),
     (7.51, 3.99, 3.57, 3.40), False),
    ("ibuprofen", "CC(C)Cc1ccc(cc1)C(C)C(=O)O", "CDCl3", (180.7, 140.9, 137.0, 129.4, 127.3, 45.1, 45.0, 30.2, 22.4, 18.1),
     (7.21, 7.10, 3.70, 2.44, 1.84, 1.50, 0.89), False),
]


def class_values(result, nucleus: str, exchangeable: bool) -> np.ndarray:
    """Predicted shifts (ppm, decreasing), one per symmetry class of the atoms that carry them."""
    frame = result.shifts[result.shifts["nucleus"] == nucleus]
    if not exchangeable:
        frame = frame[~frame["exchangeable"]]
    ranks = list(Chem.CanonicalRankAtoms(result.mol, breakTies=False))
    classes = frame.assign(rank=[ranks[i] for i in frame["parent_index"]]).groupby("rank")
    return np.sort(classes["shift_ppm"].mean().to_numpy())[::-1]


def compare(predicted: np.ndarray, literature: tuple[float, ...]) -> str:
    """'MAE / worst' of the sorted lists, or why they cannot be compared."""
    if predicted.size != len(literature):
        return f"{predicted.size} predicted vs {len(literature)} literature values"
    error = np.abs(predicted - np.sort(literature)[::-1])
    return f"{error.mean():.2f} / {error.max():.2f}"


def main() -> None:
    print_header()
    results = predict([smiles for _, smiles, *_ in KNOWN], solvent=[solvent for _, _, solvent, *_ in KNOWN])
    print("| molecule (solvent) | 13C MAE / worst (ppm) | 1H MAE / worst (ppm) | largest sigma 13C / 1H |")
    print("| --- | --- | --- | --- |")
    for (name, _, solvent, c13, h1, exchangeable), result in zip(KNOWN, results):
        if not result.ok:
            print(f"| {name} ({solvent}) | failed: {result.error} | | |")
            continue
        sigma = result.shifts.groupby("nucleus")["sigma_ppm"].max()
        print(f"| {name} ({solvent}) | {compare(class_values(result, '13C', False), c13)} | "
              f"{compare(class_values(result, '1H', exchangeable), h1)} | "
              f"{sigma.get('13C', np.nan):.1f} / {sigma.get('1H', np.nan):.2f} |")


if __name__ == "__main__":
    main()
