"""How many carbons the matching of unassigned 13C lists gets right.

Takes the validation (or test) molecules whose every carbon has an assigned 13C value, forgets
the assignment (the list keeps one ppm value and its multiplicity per carbon, as in
``unassigned_13c.parquet``), matches the list back to the carbons with the shipped model's
prediction, and counts the carbons that receive their own value (within 0.05 ppm, so symmetric
carbons sharing a value count as right). Matching rules, side by side:

* ``sorted``: sorted predictions paired with sorted observations inside each multiplicity group
  (the training loss's rule; optimal for any convex cost of ``obs - pred`` that is the same for
  every carbon);
* ``hungarian-gauss``: optimal assignment on the Gaussian cost ``((obs - pred) / sigma)^2``;
* ``hungarian-t``: optimal assignment on the Student-t cost ``log(1 + ((obs - pred) / sigma)^2 / nu)``,
  nu = 3;

each with multiplicity groups (C/CH/CH2/CH3) and with one group holding every carbon.

    python bench/bench_matching.py [--split validation|test] [--models shiftnet/weights/shift_model_0.pt]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from shiftnet.assignment.likelihood import log_student_t
from shiftnet.assignment.matching import match_by_sigma, match_sorted
from shiftnet.shifts.corpus import load_test_data, load_training_data
from shiftnet.shifts.model import load_model
from shiftnet.shifts.predict import default_model_paths
from shiftnet.shifts.uncertainty import ensemble_predictions

from _common import NMRSHIFTDB2 as DATA, print_header

#: Two carbons whose values differ by less than this (ppm) are indistinguishable in a list.
SAME_VALUE = 0.05
STUDENT_NU = 3.0


RULES = {
    "sorted": lambda pred, sigma, obs: match_sorted(pred, obs),
    "hungarian-gauss": match_by_sigma,
    "hungarian-t": lambda pred, sigma, obs: match_by_sigma(pred, sigma, obs,
                                                           cost=lambda z: -log_student_t(z, STUDENT_NU)),
}


def complete_molecules(carbon: pd.DataFrame, examples: list) -> list[pd.DataFrame]:
    """Per example whose every carbon has a 13C label: its carbons' rows, with the H count."""
    out = []
    for index, rows in carbon.groupby("example"):
        example = examples[index]
        n_carbons = int((example.graph.x[:, 0] == int(rows["element"].iloc[0])).sum())
        if len(rows) == n_carbons and n_carbons > 1:
            h = np.asarray(example.graph.x[rows["node"].to_numpy(), 2])
            out.append(rows.assign(n_h=h))
    return out


def evaluate(molecules: list[pd.DataFrame], rule: str, grouped: bool) -> dict[str, float]:
    """Fraction of carbons given their own value, and the MAE of the matched labels (ppm)."""
    right, error, n = 0, 0.0, 0
    for rows in molecules:
        y, pred, sigma = (rows[c].to_numpy(np.float64) for c in ("y", "pred", "sigma"))
        groups = rows["n_h"].to_numpy() if grouped else np.zeros(len(rows))
        matched = np.empty_like(y)
        for g in np.unique(groups):
            sel = groups == g
            matched[sel] = RULES[rule](pred[sel], sigma[sel], y[sel])
        right += int((np.abs(matched - y) < SAME_VALUE).sum())
        error += float(np.abs(matched - y).sum())
        n += len(y)
    return {"right": right / n, "label_mae": error / n, "n": n}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--models", nargs="+", type=Path, default=None)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--split", choices=["validation", "test"], default="validation")
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/bench_cache"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    paths = args.models or default_model_paths()
    print_header(models=", ".join(str(p) for p in paths), split=args.split)
    tables = [args.data / "dev.parquet", args.data / "extra_assigned.parquet"]
    if args.split == "test":
        examples, _ = load_test_data(tables)
    else:
        _, examples, _ = load_training_data(tables, cache_dir=args.cache_dir)
    carbon = ensemble_predictions([load_model(p)[0] for p in paths], examples)["13C"]
    molecules = complete_molecules(carbon, examples)
    carbons = pd.concat(molecules)
    print(f"{len(molecules)} molecules with every carbon assigned, {len(carbons)} carbons; "
          f"prediction MAE {np.mean(np.abs(carbons['pred'] - carbons['y'])):.3f} ppm")
    print(f"\n{'rule':18s} {'groups':14s} {'carbons right':>14s} {'matched-label MAE (ppm)':>24s}")
    for grouped in (True, False):
        for rule in RULES:
            r = evaluate(molecules, rule, grouped)
            print(f"{rule:18s} {'C/CH/CH2/CH3' if grouped else 'one':14s} {r['right']:14.4f} {r['label_mae']:24.4f}")


if __name__ == "__main__":
    main()
