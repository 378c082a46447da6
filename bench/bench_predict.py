"""Throughput of shift prediction (13C + 1H with sigma, from SMILES) vs RDKit ETKDG embedding.

ETKDG (one conformer per molecule) is the step 3D predictors need before they start; both
are timed on the same molecules in the same run. Also reports peak memory (max RSS).

    python bench/bench_predict.py [--n 2000] [--threads 2] [--repeats 3] [--also MODEL.pt ...]

``--also`` times another model set (e.g. an ensemble) on the same molecules.
"""

from __future__ import annotations

import argparse
import resource
import statistics
import time
from pathlib import Path

import pandas as pd
import torch
from rdkit import Chem
from rdkit.Chem import AllChem

from shiftnet.shifts.predict import ShiftPredictor, default_model_paths

from _common import NMRSHIFTDB2 as DATA, print_header


def load_smiles(n: int) -> list[str]:
    """``n`` SMILES from the unassigned 13C table (dev and extra skeletons are mixed in too)."""
    table = pd.read_parquet(DATA / "unassigned_13c.parquet", columns=["smiles"])
    return table["smiles"].iloc[:n].tolist()


def time_predict(smiles: list[str], threads: int, models: list[Path] | None,
                 workers: int, repeats: int) -> tuple[list[float], int, int]:
    """Seconds per run (``repeats`` runs), molecules predicted, atom rows."""
    torch.set_num_threads(threads)
    predictor = ShiftPredictor(models, workers=workers)
    predictor.predict(smiles[:50])  # warm-up
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        results = predictor.predict(smiles)
        rows = sum(len(r.shifts) for r in results)  # build every result table
        times.append(time.perf_counter() - start)
    return times, sum(r.ok for r in results), rows


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
    parser.add_argument("--repeats", type=int, default=3, help="timed runs per configuration (median reported)")
    parser.add_argument("--also", nargs="+", type=Path, default=None, help="another model set to time")
    args = parser.parse_args()
    print_header(threads=args.threads)
    smiles = load_smiles(args.n)
    shipped = default_model_paths()
    configurations = [(f"shipped ({len(shipped)} model file{'s' if len(shipped) > 1 else ''})", None, 0),
                      ("shipped model, 1 featurising worker process", None, 1)]
    if args.also:
        configurations.append((f"--also: {len(args.also)} model(s)", args.also, 0))
    rates = []
    for label, models, workers in configurations:
        times, n_ok, rows = time_predict(smiles, args.threads, models, workers, args.repeats)
        rates.append(len(smiles) / statistics.median(times))
        print(f"shiftnet, {label}: {len(smiles)} SMILES ({n_ok} ok, {rows} atom rows), median of "
              f"{len(times)} runs {statistics.median(times):.2f} s = {rates[-1]:,.0f} mol/s "
              f"(runs: {', '.join(f'{len(smiles) / t:,.0f}' for t in times)} mol/s)")
    etkdg_smiles = smiles[:args.etkdg_n]
    etkdg = time_etkdg(etkdg_smiles)
    rate = len(etkdg_smiles) / etkdg
    print(f"RDKit ETKDGv3, one conformer: {len(etkdg_smiles)} molecules in {etkdg:.2f} s = {rate:,.1f} mol/s")
    print(f"shipped model vs embedding alone: {rates[0] / rate:.0f}x")
    print(f"peak memory (max RSS): {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:,.0f} MB")


if __name__ == "__main__":
    main()
