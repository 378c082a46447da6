"""csp5 (PyPI ``csp5``, 3D-conformer 13C/1H predictor) side by side with shiftnet's shipped model
on shiftnet's skeleton-split validation set: the same atoms for both, in one run.

csp5 gets each record's own mol block (heavy atoms + H, NMRShiftDB2 atom order) through its
public molfile API with ``regenerate_geometry=True``: one ETKDG + MMFF conformer (its default)
embedded in canonical order and copied back onto the input atom order, so csp5's
``atom_index`` is the mol block's atom index. The other nucleus reuses that embedded geometry
(``predict_mols``). Node k of a ShiftExample is atom ``prepare(mol).heavy_index[k]``; 13C is
compared per labelled carbon node, 1H per labelled heavy atom (csp5: mean over its H atoms).
csp5 gets the example's solvent when its vocabulary has it, else its default ("unknown").

csp5 needs its own environment (it pins nothing, but keep the project's venv untouched):

    python3.11 -m venv /tmp/csp5env && /tmp/csp5env/bin/pip install torch==2.13.0 \\
        && /tmp/csp5env/bin/pip install csp5 torch-geometric nmrglue \\
        && /tmp/csp5env/bin/pip install -e . --no-deps
    OMP_NUM_THREADS=1 nice -n 19 /tmp/csp5env/bin/python bench/bench_csp5.py [--n N] \\
        [--data ../shared/data/nmrshiftdb2] [--cache-dir runs/bench_cache] > runs/bench_csp5.txt

Caveat printed with the table: csp5 descends from CASCADE, trained on NMR8K-derived data, and
``dev.parquet`` *is* the NMR8K subset of NMRShiftDB2, so csp5's numbers on dev molecules are
optimistic (its training set may hold them).
"""

from __future__ import annotations

import argparse
import os
import re
import platform
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
import rdkit
import torch
from rdkit import Chem

import csp5
from csp5 import predict_mols, predict_molecule_file
from shiftnet.shifts.data import ShiftExample
from shiftnet.shifts.model import load_model
from shiftnet.molecules import prepare
from shiftnet.shifts.predict import default_model_paths, predict
from shiftnet.solvents import MODEL_SOLVENTS
from shiftnet.shifts.corpus import load_training_data
from shiftnet.shifts.uncertainty import ensemble_predictions

from _common import NMRSHIFTDB2 as DATA
#: shiftnet solvent name -> csp5 vocabulary key (CCl4, pyridine-d5, unknown: csp5's default).
CSP5_SOLVENT = {"CDCl3": "cdcl3", "DMSO-d6": "dmso-d6", "CD3OD": "cd3od", "D2O": "d2o", "C6D6": "c6d6",
                "acetone-d6": "acetone-d6", "CD3CN": "cd3cn", "CD2Cl2": "cd2cl2", "THF-d8": "thf-d8"}
Key = tuple[str, str]  # (source, mol_id)


@dataclass
class Csp5Molecule:
    """csp5's output for one record: per example, per nucleus, atom index -> shift (ppm)."""

    shifts: list[dict[str, pd.Series]] = field(default_factory=list)
    mol: Chem.Mol | None = None  # csp5's embedded molecule (input atom order, explicit H)
    failures: list[str] = field(default_factory=list)
    seconds: float = 0.0


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=None, help="validation molecules, evenly spaced (default: all)")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/bench_cache"),
                        help="folder for the featurised-data cache (keyed by the inputs)")
    return parser.parse_args()


def print_header() -> None:
    print("command:", " ".join([sys.executable] + sys.argv))
    print(f"machine: {platform.platform()}, {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores, torch threads {torch.get_num_threads()}, "
          f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}")
    print(f"versions: csp5 {csp5.__version__}, torch {torch.__version__}, rdkit {rdkit.__version__}, "
          f"python {platform.python_version()}")


def select(val: list[ShiftExample], n: int | None) -> list[ShiftExample]:
    """Examples of n evenly spaced validation molecules (a record with two solvents gives two examples)."""
    keys = list(dict.fromkeys((e.source, e.mol_id) for e in val))
    if n is not None and n < len(keys):
        keys = [keys[i * len(keys) // n] for i in range(n)]
    chosen = set(keys)
    return [e for e in val if (e.source, e.mol_id) in chosen]


def load_molblocks(data: Path, keys: set[Key]) -> dict[Key, str]:
    """Mol block of each selected record from its source table (``<source>.parquet``)."""
    blocks: dict[Key, str] = {}
    for source in sorted({s for s, _ in keys}):
        table = pd.read_parquet(data / f"{source}.parquet", columns=["nmrshiftdb_id", "molblock"])
        for mol_id, block in zip(table["nmrshiftdb_id"].astype(str), table["molblock"]):
            if (source, mol_id) in keys:
                blocks[(source, mol_id)] = block
    return blocks


def csp5_solvent(code: int) -> str | None:
    return CSP5_SOLVENT.get(MODEL_SOLVENTS[code])


def jobs_of(example: ShiftExample) -> list[tuple[str, str | None]]:
    """(nucleus, csp5 solvent) for each nucleus the example has labels for."""
    labelled = {"13C": example.y_13c, "1H": example.y_1h}
    return [(nuc, csp5_solvent(example.solvent)) for nuc, y in labelled.items() if np.isfinite(y).any()]


def csp5_predict(block: str, jobs: list[list[tuple[str, str | None]]], workdir: Path) -> Csp5Molecule:
    """Run csp5 on one mol block: one embedded conformer, then each (example, nucleus) job.

    The first call embeds (``predict_molecule_file(..., regenerate_geometry=True)``); later
    calls reuse its geometry with ``predict_mols``. Failures are recorded, never raised.
    """
    out = Csp5Molecule()
    path = workdir / "input.mol"
    start = time.perf_counter()
    path.write_text(block)
    for example_jobs in jobs:
        shifts: dict[str, pd.Series] = {}
        for nucleus, solvent in example_jobs:
            try:
                if out.mol is None:
                    result = predict_molecule_file(path, nucleus=nucleus, solvent=solvent, regenerate_geometry=True)
                    if result.molecule_records:
                        out.mol = result.molecule_records[0].mol
                else:
                    result = predict_mols([out.mol], nucleus=nucleus, solvent=solvent)
            except Exception as exc:  # noqa: BLE001 - count and go on
                out.failures.append(f"{nucleus}: {failure_reason(exc)}")
                continue
            if result.predictions.empty:
                reasons = [re.sub(r"_[0-9.]+A.*", "", f.split("\t")[0]) for f in result.failures]
                out.failures.append(f"{nucleus}: {(reasons or ['no prediction'])[0]}")
                continue
            table = result.predictions
            shifts[nucleus] = pd.Series(table["shift_ppm"].to_numpy(float), index=table["atom_index"].astype(int))
        out.shifts.append(shifts)
    out.seconds = time.perf_counter() - start
    return out


def failure_reason(exc: BaseException) -> str:
    """Root cause of a csp5 exception, without the molecule-specific tail."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    return f"{type(exc).__name__}: {str(exc).split(':')[0][:70]}"


def node_rows(example: ShiftExample, index: int, block: str, result: dict[str, pd.Series]) -> list[dict]:
    """Per labelled node: csp5's value mapped through ``prepare(mol).heavy_index``."""
    prep = prepare(Chem.MolFromMolBlock(block, removeHs=False), copy=False)
    assert prep.heavy_index.size == example.graph.num_nodes, (example.mol_id, "node count")
    rows = []
    for nucleus, y in (("13C", example.y_13c), ("1H", example.y_1h)):
        pred = result.get(nucleus)
        for node in np.flatnonzero(np.isfinite(y)):
            atom = int(prep.heavy_index[node])
            parent = prep.mol.GetAtomWithIdx(atom)
            if nucleus == "13C":
                assert parent.GetAtomicNum() == 6, (example.mol_id, atom, "13C label not on carbon")
                wanted = [atom]
            else:
                wanted = [int(i) for i in prep.h_index[prep.h_parent == atom]]
            value = np.nan
            if pred is not None and wanted and all(i in pred.index for i in wanted):
                value = float(pred.loc[wanted].mean())
            rows.append({"example": index, "node": int(node), "nucleus": nucleus, "csp5": value,
                         "parent_z": parent.GetAtomicNum()})
    return rows


def run_csp5(examples: list[ShiftExample], blocks: dict[Key, str]) -> tuple[pd.DataFrame, dict]:
    """csp5 over all selected molecules: per-node values, failure counts and timing."""
    by_key: dict[Key, list[int]] = {}
    for i, e in enumerate(examples):
        by_key.setdefault((e.source, e.mol_id), []).append(i)
    rows, failures, seconds, failed_molecules = [], Counter(), 0.0, []
    with tempfile.TemporaryDirectory() as tmp:
        for key, idx in by_key.items():
            result = csp5_predict(blocks[key], [jobs_of(examples[i]) for i in idx], Path(tmp))
            seconds += result.seconds
            failures.update(result.failures)
            if result.failures:
                failed_molecules.append("/".join(key))
            for i, shifts in zip(idx, result.shifts):
                rows += node_rows(examples[i], i, blocks[key], shifts)
    stats = {"molecules": len(by_key), "failed_molecules": failed_molecules, "failures": failures,
             "seconds": seconds}
    return pd.DataFrame(rows), stats


def run_shiftnet(examples: list[ShiftExample], blocks: dict[Key, str]) -> tuple[pd.DataFrame, dict]:
    """shiftnet's ensemble on the examples (accuracy) and two timings on the same molecules."""
    models = [load_model(p)[0] for p in default_model_paths()]
    start = time.perf_counter()
    pred = ensemble_predictions(models, examples)
    graph_seconds = time.perf_counter() - start
    frame = pd.concat([pred[n].assign(nucleus=n) for n in ("13C", "1H")], ignore_index=True)
    first = {}
    for e in examples:
        first.setdefault((e.source, e.mol_id), MODEL_SOLVENTS[e.solvent])
    predict("CCO")  # load the shipped models once, outside the timing
    start = time.perf_counter()
    mols = [Chem.MolFromMolBlock(blocks[key], removeHs=False) for key in first]
    results = predict(mols, solvent=list(first.values()))
    e2e_seconds = time.perf_counter() - start
    stats = {"graph_seconds": graph_seconds, "e2e_seconds": e2e_seconds,
             "e2e_failed": sum(not r.ok for r in results), "n_models": len(models)}
    return frame.rename(columns={"pred": "shiftnet"}), stats


def check_mapping() -> None:
    """Hand check: toluene with the atom order shuffled (H first, CH3 carbon last)."""
    mol = Chem.AddHs(Chem.MolFromSmiles("Cc1ccccc1"))
    order = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 1] + list(range(6, 0, -1)) + [0]
    mol = Chem.RenumberAtoms(mol, order)
    with tempfile.TemporaryDirectory() as tmp:
        result = csp5_predict(Chem.MolToMolBlock(mol), [[("13C", "cdcl3"), ("1H", "cdcl3")]], Path(tmp))
    c13, h1 = result.shifts[0]["13C"], result.shifts[0]["1H"]
    methyl = next(a for a in mol.GetAtoms() if a.GetAtomicNum() == 6 and a.GetTotalNumHs(includeNeighbors=True) == 3)
    ipso = next(a for a in mol.GetAtoms() if a.GetAtomicNum() == 6 and a.GetDegree() == 3 and a.GetTotalNumHs(includeNeighbors=True) == 0)
    methyl_h = [n.GetIdx() for n in methyl.GetNeighbors() if n.GetAtomicNum() == 1]
    ring_h = [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 1 and a.GetIdx() not in methyl_h]
    print(f"\nmapping check (toluene, H atoms first, CH3 carbon = atom {methyl.GetIdx()}): "
          f"CH3 {c13[methyl.GetIdx()]:.1f}, ipso C {c13[ipso.GetIdx()]:.1f}, "
          f"CH {', '.join(f'{v:.1f}' for i, v in c13.items() if i not in (methyl.GetIdx(), ipso.GetIdx()))} ppm; "
          f"CH3 H {h1[methyl_h].mean():.2f}, ring H {h1[ring_h].min():.2f}-{h1[ring_h].max():.2f} ppm")
    assert 15 < c13[methyl.GetIdx()] < 25 and 132 < c13[ipso.GetIdx()] < 142
    assert 2.0 < h1[methyl_h].mean() < 2.7 and h1[ring_h].min() > 6.8 and set(c13.index) == set(range(8, 15))


def mae_line(frame: pd.DataFrame, label: str) -> str:
    if frame.empty:
        return f"  {label:22s} {0:7d} {0:6d}        -        -"
    a = (frame["shiftnet"] - frame["y"]).abs().mean()
    b = (frame["csp5"] - frame["y"]).abs().mean()
    n_mol = frame[["source", "mol_id"]].drop_duplicates().shape[0]
    return f"  {label:22s} {len(frame):7d} {n_mol:6d} {a:8.3f} {b:8.3f}"


def report(both: pd.DataFrame, labelled: pd.DataFrame, csp5_stats: dict, net_stats: dict) -> None:
    print("\nMAE (ppm) on the atoms both models predicted (same atoms for both columns)")
    print(f"  {'':22s} {'atoms':>7s} {'mols':>6s} {'shiftnet':>8s} {'csp5':>8s}")
    for nucleus in ("13C", "1H"):
        part = both[both["nucleus"] == nucleus]
        print(mae_line(part, f"{nucleus} all"))
        if nucleus == "1H":
            print(mae_line(part[part["parent_z"] == 6], "1H C-H"))
            print(mae_line(part[part["parent_z"].isin([7, 8])], "1H N-H / O-H"))
        for source in sorted(both["source"].unique()):
            print(mae_line(part[part["source"] == source], f"{nucleus} {source}"))
        n_all = int((labelled["nucleus"] == nucleus).sum())
        print(f"  ({nucleus}: {len(part)} of {n_all} labelled atoms compared; csp5 gave no value for the rest)")
    n, t = csp5_stats["molecules"], csp5_stats["seconds"]
    failed = csp5_stats["failed_molecules"]
    print(f"\nmolecules: {n}; csp5 failed on {len(failed)}{': ' + ', '.join(failed) if failed else ''}")
    for reason, count in csp5_stats["failures"].most_common():
        print(f"  {count:4d} x {reason}")
    print(f"speed (same molecules, {torch.get_num_threads()} torch thread(s))")
    print(f"  csp5      {n / t:8.1f} mol/s  ({t:.1f} s: mol block -> ETKDG+MMFF conformer -> 13C and/or 1H, "
          "one molecule per call)")
    print(f"  shiftnet  {n / net_stats['e2e_seconds']:8.1f} mol/s  ({net_stats['e2e_seconds']:.1f} s: "
          f"shiftnet.predict on RDKit Mols from the mol blocks, 13C+1H, {net_stats['n_models']}-model ensemble, "
          f"batched; {net_stats['e2e_failed']} failed)")
    print(f"  shiftnet  {n / net_stats['graph_seconds']:8.1f} mol/s  ({net_stats['graph_seconds']:.1f} s: "
          "ensemble_predictions on the cached featurised graphs, the accuracy numbers above)")
    print("\ncaveat: csp5 (CASCADE lineage) was trained on NMR8K-derived data, which overlaps NMRShiftDB2; "
          "dev.parquet is the NMR8K subset, so csp5's dev numbers are optimistic (its training set may\n"
          "hold these very molecules). extra_assigned records are not in dev.parquet, but whether csp5's "
          "training data holds them is not known. shiftnet's validation split is by skeleton.")


def main() -> None:
    args = parse_args()
    torch.set_num_threads(1)
    print_header()
    _, val, info = load_training_data([args.data / "dev.parquet", args.data / "extra_assigned.parquet"],
                                      cache_dir=args.cache_dir)
    examples = select(val, args.n)
    keys = {(e.source, e.mol_id) for e in examples}
    print(f"validation: skeleton bucket {info['val_bucket']}, {len(val)} examples; selected {len(keys)} "
          f"molecules ({len(examples)} examples){' evenly spaced' if args.n else ' (all)'}, "
          f"data fingerprint {info['fingerprint']}")
    blocks = load_molblocks(args.data, keys)
    check_mapping()  # also loads csp5's models outside the timing
    csp5_rows, csp5_stats = run_csp5(examples, blocks)
    net, net_stats = run_shiftnet(examples, blocks)
    meta = pd.DataFrame({"source": [e.source for e in examples], "mol_id": [e.mol_id for e in examples]})
    labelled = net.merge(csp5_rows, on=["example", "node", "nucleus"], how="left", validate="one_to_one")
    labelled = labelled.join(meta, on="example")
    assert len(labelled) == len(csp5_rows), "shiftnet and csp5 disagree on the labelled atoms"
    both = labelled[np.isfinite(labelled["csp5"]) & np.isfinite(labelled["shiftnet"])]
    report(both, labelled, csp5_stats, net_stats)


if __name__ == "__main__":
    main()
