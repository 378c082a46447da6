"""Accuracy and calibration of shift models on the skeleton-split validation set.

Prints MAE by nucleus, atom class and data source, the 90 % interval coverage, and DFT's MAE
on the same validation atoms (dft8k_dev.parquet), side by side.

    python bench/bench_accuracy.py [--models shiftnet/weights/shift_model_*.pt] [--data ../shared/data/nmrshiftdb2]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from shiftnet.shifts.model import THIN_ELEMENTS, load_model
from shiftnet.shifts.predict import default_model_paths
from shiftnet.shifts.corpus import load_test_data, load_training_data
from shiftnet.shifts.uncertainty import Z90, ensemble_predictions

from _common import NMRSHIFTDB2 as DATA, print_header


def describe(frame: pd.DataFrame) -> str:
    err = (frame["pred"] - frame["y"]).abs()
    cover = (err <= Z90 * frame["sigma"]).mean()
    return f"MAE {err.mean():6.3f}  RMSE {np.sqrt((err ** 2).mean()):6.3f}  cov90 {cover:5.3f}  n {len(frame):6d}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--split", choices=["validation", "test"], default="validation",
                        help="validation (skeleton bucket 0, for choices) or test (bucket 1, release numbers)")
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/bench_cache"),
                        help="folder for the featurised-data cache (keyed by the inputs)")
    args = parser.parse_args()
    torch.set_num_threads(2)
    paths = args.models or default_model_paths()
    print_header(models=", ".join(str(p) for p in paths))
    tables = [args.data / "dev.parquet", args.data / "extra_assigned.parquet"]
    members = [load_model(p) for p in paths]
    if args.split == "test":
        val, info = load_test_data(tables)
        print(f"test: skeleton bucket {info['test_bucket']} (InChIKey first block), {len(val)} molecules, "
              f"data fingerprint {info['fingerprint']}")
        if any(t.get("data", {}).get("test_bucket") != info["test_bucket"] for _, t in members):
            print("WARNING: a model was trained before the test split existed (it saw these molecules): "
                  "these are not held-out numbers")
    else:
        _, val, info = load_training_data(tables, cache_dir=args.cache_dir)
        print(f"validation: skeleton bucket {info['val_bucket']} (InChIKey first block), {len(val)} molecules, "
              f"data fingerprint {info['fingerprint']}")
    pred = ensemble_predictions([m for m, _ in members], val)
    source = np.array([e.source for e in val])
    carbon = pred["13C"].assign(source=source[pred["13C"]["example"]])
    proton = pred["1H"].assign(source=source[pred["1H"]["example"]])
    print("\n13C (per carbon)")
    print("  all                 ", describe(carbon))
    print("  aromatic            ", describe(carbon[carbon["aromatic"]]))
    print("  non-aromatic        ", describe(carbon[~carbon["aromatic"]]))
    for name in sorted(set(source)):
        print(f"  source {name:13s}", describe(carbon[carbon["source"] == name]))
    print(f"  near {'/'.join(THIN_ELEMENTS):15s}", describe(carbon[carbon["near_thin"]]))
    print("\n1H (per heavy atom carrying H)")
    print("  all                 ", describe(proton))
    print("  C-H                 ", describe(proton[proton["element"] == 2]))
    print("  N-H / O-H           ", describe(proton[proton["element"].isin([3, 4])]))
    ch = proton[proton["element"] == 2]
    print("  aromatic C-H        ", describe(ch[ch["aromatic"]]))
    print("  aliphatic C-H       ", describe(ch[~ch["aromatic"]]))
    for name in sorted(set(source)):
        print(f"  source {name:13s}", describe(proton[proton["source"] == name]))
    print(f"  near {'/'.join(THIN_ELEMENTS):15s}", describe(proton[proton["near_thin"]]))
    compare_dft(args.data, val, carbon, proton)


def compare_dft(data: Path, val, carbon: pd.DataFrame, proton: pd.DataFrame) -> None:
    """Model vs DFT (mPW1PW91, CASCADE) on the validation atoms that have a DFT value."""
    dft = pd.read_parquet(data / "dft8k_dev.parquet")
    dft_by_id = {str(i): (json.loads(c), json.loads(h)) for i, c, h in
                 zip(dft["nmrshiftdb_id"], dft["dft_13c"], dft["dft_1h"])}
    outliers = pd.read_csv(data / "exp_dft_outliers_dev.csv")
    doubtful = set(zip(outliers["mol_id"].astype(str), outliers["atom_index"]))
    print("\nDFT side by side (dev molecules of this split with a DFT calculation; node = atom index)")
    for label, frame, which in (("13C", carbon, 0), ("1H", proton, 1)):
        rows = []
        for ex, node, y, p in zip(frame["example"], frame["node"], frame["y"], frame["pred"]):
            e = val[ex]
            if e.source != "dev" or e.mol_id not in dft_by_id:
                continue
            value = dft_by_id[e.mol_id][which].get(str(node))
            if value is not None:
                rows.append((abs(p - y), abs(value - y), (e.mol_id, node) in doubtful))
        if rows:
            arr = np.array(rows, dtype=float)
            print(f"  {label}: model MAE {arr[:, 0].mean():.3f}  DFT MAE {arr[:, 1].mean():.3f}  n {len(arr)}")
            if label == "13C":
                keep = arr[:, 2] == 0
                print(f"  {label} without the doubtful-value list: model {arr[keep, 0].mean():.3f}  "
                      f"DFT {arr[keep, 1].mean():.3f}  n {int(keep.sum())}")


if __name__ == "__main__":
    main()
