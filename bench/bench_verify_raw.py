"""Verification and assignment from raw spectra: ibuprofen (lucyng_ibuprofen: 13C, DEPT-135,
DEPT-90, 1H, HMQC, HMBC) against 11 isomers (data/ibuprofen_isomers.smi), no typed peak list.

    python bench/bench_verify_raw.py

Prints the probability and rank of ibuprofen per combination of experiments, whether its full
assignment matches the literature one, and the time per call.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import shiftnet

from _common import RAW, print_header

ISOMERS = Path(__file__).resolve().parents[1] / "data" / "ibuprofen_isomers.smi"
#: Ibuprofen's 13C assignment (atom index -> ppm; literature, CH2/CH by DEPT).
ASSIGNED_13C = {0: 22.5, 1: 30.3, 2: 22.5, 3: 45.2, 4: 141.0, 5: 129.5, 6: 127.4, 7: 137.1, 8: 45.1, 9: 18.2,
                10: 180.7, 13: 127.4, 14: 129.5}
COMBINATIONS = [("13C",), ("1H",), ("13C", "1H"), ("13C", "DEPT135", "DEPT90", "1H", "HMQC"),
                ("13C", "DEPT135", "DEPT90", "1H", "HMQC", "HMBC")]
EXPNO = {"1H": "1", "13C": "2", "DEPT135": "3", "DEPT90": "4", "HMQC": "6", "HMBC": "7"}


def main() -> None:
    print_header(data=RAW / "lucyng_ibuprofen", candidates=ISOMERS)
    smiles = [line.split()[0] for line in ISOMERS.read_text().splitlines() if not line.startswith("#")]
    warnings.simplefilter("ignore")
    for experiments in COMBINATIONS:
        data = {e: RAW / "lucyng_ibuprofen" / EXPNO[e] for e in experiments}
        start = time.perf_counter()
        result = shiftnet.verify(smiles, data=data)
        seconds = time.perf_counter() - start
        best = result.assignments[0].frame
        carbons = best[best["nucleus"] == "13C"].set_index("atom_index")["observed_ppm"]
        right = (f"{sum(abs(carbons[a] - p) < 0.1 for a, p in ASSIGNED_13C.items())}/{len(ASSIGNED_13C)}"
                 if len(carbons) else "-")
        print(f"{'+'.join(experiments):40s} P(ibuprofen) {result.frame.loc[0, 'probability']:.4f}  "
              f"rank {int(result.frame.loc[0, 'rank'])}  carbons right {right}  "
              f"{seconds:.1f} s for {len(smiles)} candidates (processing and picking included)")


if __name__ == "__main__":
    main()
