"""Find training labels that a model which never saw them contradicts far beyond its sigma.

Two-fold cross-prediction over the training skeletons (a second hash of the skeleton key, so
validation and test stay out): a network is trained on each half (assigned + unassigned
records) and predicts the assigned labels of the other half. A label is *flagged* when
``|label - prediction| > K_SIGMA x sigma`` and more than ``MIN_PPM`` of its nucleus. Flags are
sorted into kinds: a *swap* (two flagged atoms of one record whose labels fit far better
exchanged), exchangeable 1H (N-H / O-H), and the rest by nucleus. Writes
``OUT/flagged.csv`` (source, mol_id, atom_index, nucleus, label, prediction, sigma, kind) and
``OUT/outliers.csv``: the DFT doubtful-value list plus the flagged labels in the layout of
``shiftnet train --outliers`` (mol_id, atom_index, nucleus). Prints the counts.

    python scripts/label_noise.py --out runs/label_noise [--epochs 40] [--threads 1]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from shiftnet.shifts.corpus import load_training_data
from shiftnet.shifts.data import split_bucket
from shiftnet.shifts.model import load_model
from shiftnet.shifts.train import TrainConfig, train_model
from shiftnet.shifts.uncertainty import ensemble_predictions

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nmrshiftdb2"
K_SIGMA = 4.0
MIN_PPM = {"13C": 5.0, "1H": 0.5}
#: A swap: the two labels exchanged lower the pair's summed error to under this fraction.
SWAP_GAIN = 0.3
N_O_CODES = (3, 4)  # element feature codes of N and O


def fold_of(key: str) -> int:
    return split_bucket("label-noise:" + key, 2)


def flag(frame: pd.DataFrame, nucleus: str) -> pd.DataFrame:
    """Rows of ``frame`` (one fold's predictions) flagged beyond K_SIGMA sigma and MIN_PPM."""
    error = (frame["y"] - frame["pred"]).abs()
    return frame[(error > K_SIGMA * frame["sigma"]) & (error > MIN_PPM[nucleus])]


def kinds(flagged: pd.DataFrame, nucleus: str) -> list[str]:
    """The kind of every flagged row (see the module doc)."""
    out = []
    for _, row in flagged.iterrows():
        partners = flagged[(flagged["example"] == row["example"]) & (flagged["node"] != row["node"])]
        swapped = any(abs(p["y"] - row["pred"]) + abs(row["y"] - p["pred"])
                      < SWAP_GAIN * (abs(row["y"] - row["pred"]) + abs(p["y"] - p["pred"]))
                      for _, p in partners.iterrows())
        if swapped:
            out.append("swap")
        elif nucleus == "1H" and row["element"] in N_O_CODES:
            out.append("N-H/O-H")
        else:
            out.append(f"{nucleus} other")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--epochs", type=int, default=40)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    print("command:", " ".join(sys.argv))
    train, val, _ = load_training_data([args.data / "dev.parquet", args.data / "extra_assigned.parquet"],
                                       args.data / "unassigned_13c.parquet", args.data / "exp_dft_outliers_dev.csv",
                                       cache_dir=args.out)
    rows = []
    for fold in (0, 1):
        fit = [e for e in train if fold_of(e.key) != fold]
        held = [e for e in train if fold_of(e.key) == fold and e.source != "unassigned"]
        run = args.out / f"fold{fold}"
        if not (run / "model.pt").exists():
            train_model(fit, val, TrainConfig(epochs=args.epochs, seed=fold, threads=args.threads), run)
        model = load_model(run / "model.pt")[0]
        for nucleus, frame in ensemble_predictions([model], held).items():
            err = (frame["y"] - frame["pred"]).abs()
            print(f"fold {fold} {nucleus}: {len(frame)} held-out labels, MAE {err.mean():.3f}")
            flagged = flag(frame, nucleus)
            flagged = flagged.assign(kind=kinds(flagged, nucleus), nucleus=nucleus,
                                     source=[held[i].source for i in flagged["example"]],
                                     mol_id=[held[i].mol_id for i in flagged["example"]])
            rows.append(flagged)
    table = pd.concat(rows, ignore_index=True)
    table = table.rename(columns={"y": "label", "pred": "prediction", "node": "atom_index"})
    columns = ["source", "mol_id", "atom_index", "nucleus", "label", "prediction", "sigma", "kind"]
    table[columns].to_csv(args.out / "flagged.csv", index=False)
    dft = pd.read_csv(args.data / "exp_dft_outliers_dev.csv")[["mol_id", "atom_index"]].assign(nucleus="13C")
    outliers = pd.concat([dft, table[["mol_id", "atom_index", "nucleus"]]]).drop_duplicates()
    outliers.to_csv(args.out / "outliers.csv", index=False)
    print(f"\nflagged labels (|error| > {K_SIGMA:g} sigma and > {MIN_PPM} ppm): {len(table)} in "
          f"{table[['source', 'mol_id']].drop_duplicates().shape[0]} records")
    print(table.groupby(["nucleus", "kind"]).size().to_string())
    print(f"written {args.out / 'flagged.csv'} and {args.out / 'outliers.csv'} ({len(outliers)} labels)")


if __name__ == "__main__":
    main()
