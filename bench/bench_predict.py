"""Throughput of shift prediction (13C + 1H with sigma, from SMILES) vs RDKit ETKDG embedding.

ETKDG (one conformer per molecule) is the step 3D predictors need before they start; both
are timed on the same molecules in the same run. Also reports peak memory (max RSS).

    python bench/bench_predict.py [--n 2000] [--threads 2]
"""

from __future__ import annotations

import argparse
import platform
import resource
import sys
import time
from pathlib import Path

import pandas as pd
import torch
from rdkit import Chem
from rdkit.Chem import AllChem

from shiftnet.predictor import ShiftPredictor, default_model_paths

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nmrshiftdb2"


def load_smiles(n: int) -> list[str]:
    """``n`` SMILES from the unassigned 13C table (dev and extra skeletons are mixed in too)."""
    table = pd.read_parquet(DATA / "unassigned_13c.parquet", columns=["smiles"])
    return table["smiles"].iloc[:n].tolist()


def time_predict(smiles: list[str], threads: int, models: list[Path] | None,
                 workers: int) -> tuple[float, int, int]:
    torch.set_num_threads(threads)
    predictor = ShiftPredictor(models, workers=workers)
    predictor.predict(smiles[:50])  # warm-up
    start = time.perf_counter()
    results = predictor.predict(smiles)
    rows = sum(len(r.shifts) for r in results)  # build every result table
    elapsed = time.perf_counter() - start
    return elapsed, sum(r.ok for r in results), rows


def time_etkdg(smiles: list[str]) -> float:
    params = AllChem.ETKDGv3()
    params.randomSeed = 0
    start = time.perf_counter()
    for s in smiles:
        mol = Chem.MolFromSmiles(s)
        if mol is not None:
            AllChem.EmbedMolecule(Chem.AddHs(mol), params)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=2000)
    parser.add_argument("--etkdg-n", type=int, default=300, help="molecules embedded (ETKDG is slow)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    print("command:", " ".join(sys.argv))
    print(f"machine: {platform.platform()}, {platform.machine()}, torch {torch.__version__}, "
          f"threads {args.threads}")
    smiles = load_smiles(args.n)
    members = default_model_paths()
    for label, models, workers in ((f"shipped ensemble ({len(members)} members)", None, 0),
                                   (f"shipped ensemble, 1 featurising worker", None, 1),
                                   ("one member (ShiftPredictor([shift_model_0.pt]))", members[:1], 0),
                                   ("one member, 1 featurising worker", members[:1], 1)):
        elapsed, n_ok, rows = time_predict(smiles, args.threads, models, workers)
        print(f"shiftnet, {label}: {len(smiles)} SMILES ({n_ok} ok, {rows} atom rows) in "
              f"{elapsed:.2f} s = {len(smiles) / elapsed:,.0f} mol/s")
    etkdg_smiles = smiles[:args.etkdg_n]
    etkdg = time_etkdg(etkdg_smiles)
    rate = len(etkdg_smiles) / etkdg
    print(f"RDKit ETKDGv3, one conformer: {len(etkdg_smiles)} molecules in {etkdg:.2f} s = {rate:,.1f} mol/s")
    print(f"last configuration vs embedding alone: {len(smiles) / elapsed / rate:.0f}x")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
