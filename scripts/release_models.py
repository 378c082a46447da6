"""Make the shipped ensemble from trained runs: calibrate sigma jointly, cap it, write shiftnet/weights/.

The validation skeletons are split in two halves by a second hash: the ensemble's sigma is
calibrated on one half, and the coverage printed for the other half is out of sample.

    python scripts/release_models.py runs/A/model.pt runs/B/model.pt [--data ../shared/data/nmrshiftdb2]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from shiftnet.shifts.data import split_bucket
from shiftnet.shifts.model import THIN_ELEMENTS, THIN_RADIUS, load_model, save_model
from shiftnet.shifts.predict import WEIGHTS_DIR
from shiftnet.shifts.corpus import load_training_data
from shiftnet.shifts.uncertainty import Z90, calibrate_ensemble, ensemble_predictions, set_hparam, sigma_caps, thin_sigma_factors

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "nmrshiftdb2"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("runs", nargs="+", type=Path, help="model.pt files of the members")
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache-dir", type=Path, default=Path("runs/bench_cache"),
                        help="folder for the featurised-data cache (keyed by the inputs)")
    parser.add_argument("--out", type=Path, default=WEIGHTS_DIR)
    args = parser.parse_args()
    print("command:", " ".join(sys.argv))
    _, val, info = load_training_data([args.data / "dev.parquet", args.data / "extra_assigned.parquet"],
                                      cache_dir=args.cache_dir)
    calib = [e for e in val if split_bucket("calibration:" + e.key, 2) == 0]
    report = [e for e in val if split_bucket("calibration:" + e.key, 2) == 1]
    members = [load_model(p) for p in args.runs]
    models = [m for m, _ in members]
    factors = calibrate_ensemble(models, calib)
    print(f"ensemble sigma factors (calibration half, {len(calib)} molecules): {factors}")
    thin = thin_sigma_factors(models, val)
    set_hparam(models, "thin_sigma", thin)
    print(f"sigma factors near {', '.join(THIN_ELEMENTS)} (all validation atoms within {THIN_RADIUS} bonds): {thin}")
    caps = sigma_caps(models, calib)
    set_hparam(models, "sigma_cap", caps)
    print(f"sigma caps (ppm; 99.9th percentile of the calibration-half errors / Z90): {caps}")
    metrics = {}
    for nucleus, frame in ensemble_predictions(models, report).items():
        err = np.abs(frame["pred"] - frame["y"])
        metrics[f"coverage90_{nucleus}_heldout"] = float((err <= Z90 * frame["sigma"]).mean())
    for nucleus, frame in ensemble_predictions(models, val).items():
        metrics[f"mae_{nucleus}"] = float(np.abs(frame["pred"] - frame["y"]).mean())
    print("ensemble validation:", json.dumps(metrics))
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("shift_model_*.pt"):
        old.unlink()
    for k, (model, training) in enumerate(members):
        training = {**training, "ensemble": {"members": len(members), "sigma_factors": factors, "sigma_caps": caps, "thin_sigma": thin,
                                             "val_metrics": metrics, "val_molecules": len(val)}}
        path = args.out / f"shift_model_{k}.pt"
        save_model(model, path, training)
        print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
