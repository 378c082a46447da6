"""Peak picking: the CNN against the threshold picker and nmrglue, on seeded synthetic spectra
(isolated peaks and equal pairs 0.5 / 1 / 2 linewidths apart, SNR 5-100) and on ibuprofen
(13C, DEPT-135, 1H multiplets, HMQC).

Run: ``python bench/bench_peaks.py [--per-cell 16] [--model PATH]``. "cnn" is the shipped
default (CNN, then the overlap-splitting fit of :mod:`shiftnet.spectra_models.overlaps`);
"cnn-nosplit" the CNN alone. To choose between
candidate models without touching the test seed: ``python bench/bench_peaks.py --candidates
A.pt B.pt`` (CNN F1 on the tuning seed per case and SNR, and real ibuprofen 13C / 1H). A pick
is right when it lies within one linewidth of a true peak, one-to-one (Hungarian). The classical pickers'
threshold (k x robust noise std) is chosen on a separate tuning set (seed ``TUNE_SEED``).
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import nmrglue as ng
import numpy as np
import torch

from _common import RAW, print_header
from shiftnet import spectra
from shiftnet.spectra_models.metrics import PeakScore, match_peaks, score_peaks
from shiftnet.spectra_models.multiplets import pick_multiplets
from shiftnet.spectra.noise import residual_noise_sigma
from shiftnet.spectra_models.picking import DEFAULT_MODEL, pick_peaks, pick_peaks_many

TEST_SEED, TUNE_SEED = 20261128, 20261129
N_POINTS, SNRS, CASES = 16384, (5, 10, 20, 100), ("isolated", 0.5, 1.0, 2.0)
THRESHOLDS = (3.0, 3.5, 4.0, 5.0, 6.0, 8.0)
HZ_PER_POINT = 240.0 * 125.7 / N_POINTS
IBUPROFEN_13C = (181.0, 140.9, 137.0, 129.4, 127.3, 45.1, 45.0, 30.2, 22.4, 18.1)
#: (1H ppm, protons) of ibuprofen's CH multiplets in CDCl3 (COOH ~11 ppm listed apart).
IBUPROFEN_1H = ((7.21, 2), (7.10, 2), (3.70, 1), (2.44, 2), (1.84, 1), (1.50, 3), (0.89, 6))
#: HMQC cross peaks (1H, 13C) of the protonated carbons.
IBUPROFEN_HMQC = ((7.10, 129.4), (7.21, 127.3), (3.70, 45.1), (2.44, 45.0), (1.84, 30.2), (1.50, 18.1), (0.89, 22.4))


def synthetic(seed: int, case, snr: float, index: int) -> tuple[np.ndarray, np.ndarray, float]:
    """One spectrum: (data, true indices, linewidth in points); 12 isolated peaks or 8 pairs."""
    rng = np.random.default_rng([seed, int(snr), CASES.index(case), index])
    width = float(np.exp(rng.uniform(np.log(2.0), np.log(6.0))))
    slots = 12 if case == "isolated" else 8
    centres = (np.arange(slots) + 0.5 + rng.uniform(-0.2, 0.2, slots)) * (0.9 * N_POINTS / slots) + 0.05 * N_POINTS
    points = centres if case == "isolated" else np.concatenate([centres, centres + float(case) * width])
    ppm = 230.0 - points * 240.0 / N_POINTS
    sim = spectra.simulate(ppm.tolist(), nucleus="13C", n_points=N_POINTS, linewidth_hz=width * HZ_PER_POINT,
                           snr=snr, seed=int(rng.integers(2**31)))
    return sim.spectrum.data, sim.peaks["index"].to_numpy(), width


def test_set(seed: int, per_cell: int) -> dict:
    return {(case, snr): [synthetic(seed, case, snr, i) for i in range(per_cell)] for case in CASES for snr in SNRS}


def nmrglue_pick(data: np.ndarray, k: float) -> np.ndarray:
    locations = ng.analysis.peakpick.pick(data, pthres=k * residual_noise_sigma(data), algorithm="thres", msep=(1,), est_params=False,
                                          cluster=False, table=False)
    return np.array([loc[0] for loc in locations], dtype=float)


def run_method(method: str, spectra_list: list, k: float, model) -> tuple[list[np.ndarray], float]:
    """Picked indices of every spectrum and seconds per spectrum."""
    data = [d for d, _, _ in spectra_list]
    start = time.perf_counter()
    if method == "nmrglue":
        found = [nmrglue_pick(d, k) for d in data]
    else:   # "cnn-nosplit": the CNN without the overlap-splitting fit
        picked = pick_peaks_many(data, method.removesuffix("-nosplit"), min_snr=k, negative=False, model=model,
                                 split_overlaps=not method.endswith("-nosplit"))
        found = [p.frame["index"].to_numpy() for p in picked]
    return found, (time.perf_counter() - start) / len(data)


def score(spectra_list: list, found: list[np.ndarray]) -> PeakScore:
    return sum((score_peaks(t, f, w) for (_, t, w), f in zip(spectra_list, found)), PeakScore())


def tune(method: str, pooled: list, model) -> float:
    """The minimum SNR (in noise std) with the best pooled F1 on the tuning set."""
    return max(THRESHOLDS, key=lambda k: score(pooled, run_method(method, pooled, k, model)[0]).f1)


def synthetic_table(per_cell: int, model) -> None:
    pooled = [s for cell in test_set(TUNE_SEED, max(per_cell // 2, 1)).values() for s in cell]
    thresholds = {method: tune(method, pooled, model) for method in ("cnn", "cnn-nosplit", "threshold", "nmrglue")}
    print(f"\n## Synthetic (seed {TEST_SEED}, {per_cell} spectra per cell, {N_POINTS} points, linewidth 2-6 points)")
    print("min SNR (x robust noise std, tuned on seed %d for best pooled F1): %s" % (TUNE_SEED, thresholds))
    print("| case | SNR | method | precision | recall | F1 | pos. error (pt) | ms/spectrum |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    cells = test_set(TEST_SEED, per_cell)
    for (case, snr), cell in cells.items():
        label = "isolated" if case == "isolated" else f"pair {case} lw"
        for method, k in thresholds.items():
            found, seconds = run_method(method, cell, k, model)
            s = score(cell, found)
            print(f"| {label} | {snr} | {method} | {s.precision:.3f} | {s.recall:.3f} | {s.f1:.3f} | "
                  f"{s.position_error:.2f} | {1000 * seconds:.1f} |")


def compare_candidates(models: list[Path], per_cell: int) -> None:
    """For choices: CNN F1 (min SNR 3) per case and SNR on the tuning seed, then real ibuprofen."""
    cells = test_set(TUNE_SEED, per_cell)
    for model in map(str, models):
        scores = {key: score(cell, run_method("cnn", cell, 3.0, model)[0]) for key, cell in cells.items()}
        pooled = sum(scores.values(), PeakScore())
        print(f"\n## {model}: tuning seed {TUNE_SEED}, {per_cell} per cell, pooled F1 {pooled.f1:.3f}")
        print("| case | " + " | ".join(f"SNR {snr}" for snr in SNRS) + " |")
        print("| --- |" + " --- |" * len(SNRS))
        for case in CASES:
            print(f"| {case} | " + " | ".join(f"{scores[case, snr].f1:.3f}" for snr in SNRS) + " |")
        if (RAW / "lucyng_ibuprofen").is_dir():
            real_13c(model)
            real_1h(model)


def throughput(model, n: int = 128) -> None:
    data = [synthetic(TEST_SEED, "isolated", 20, i)[0] for i in range(32)] * (n // 32)
    pick_peaks_many(data[:32], negative=False, model=model)
    for split in (True, False):
        start = time.perf_counter()
        pick_peaks_many(data, negative=False, model=model, batch_size=32, split_overlaps=split)
        rate = n / (time.perf_counter() - start)
        print(f"\nCNN throughput{'' if split else ' without the overlap split'}: {rate:.1f} spectra/s of {N_POINTS} "
              f"points (batch 32, {torch.get_num_threads()} threads)")


def real_13c(model) -> None:
    print("\n## Ibuprofen 13C (expno 2) and DEPT-135 (expno 3), CDCl3")
    for expno in (2, 3):
        spec = spectra.process(spectra.read(RAW / "lucyng_ibuprofen" / str(expno)))
        for method in ("cnn", "threshold"):
            p = pick_peaks(spec, method, min_snr=5.0, model=model)
            f = p.frame
            sample = f[f["source"] == "sample"]
            rows, cols = match_peaks(np.array(IBUPROFEN_13C), sample["shift_ppm"].to_numpy(), 0.4)
            matched = sample.iloc[cols]
            signs = "".join("+" if h > 0 else "-" for h in matched.sort_values("shift_ppm")["height"])
            print(f"expno {expno} {method}: {len(f)} peaks (noise {p.noise:.3g}), solvent {int((f['source'] == 'solvent').sum())}, "
                  f"13C satellites {int((f['source'] == 'satellite').sum())}, carbons found {len(rows)}/10, "
                  f"unexplained {len(sample) - len(rows)}; matched ppm "
                  f"{np.round(np.sort(matched['shift_ppm'].to_numpy())[::-1], 2).tolist()} signs(low->high ppm) {signs}")


def real_1h(model) -> None:
    print("\n## Ibuprofen 1H (expno 1) multiplets, integrals normalised to the 17 CH protons found")
    spec = spectra.process(spectra.read(RAW / "lucyng_ibuprofen" / "1"))
    for method in ("cnn", "threshold"):
        m = pick_multiplets(spec, method=method, model=model).frame
        sample = m[m["source"] == "sample"]
        rows, cols = match_peaks(np.array([p for p, _ in IBUPROFEN_1H]), sample["shift_ppm"].to_numpy(), 0.06)
        found = sample.iloc[cols]
        integrals = found["integral"].to_numpy() * 17.0 / found["integral"].sum()
        print(f"{method}: {len(m)} multiplets ({len(sample)} sample); expected CH multiplets found {len(rows)}/7")
        print("| expected ppm | H | found ppm | integral | error % | multiplicity | J (Hz) |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for r, (_, row), integral in zip(rows, found.iterrows(), integrals):
            ppm, h = IBUPROFEN_1H[r]
            print(f"| {ppm} | {h} | {row['shift_ppm']:.3f} | {integral:.2f} | {100 * (integral / h - 1):+.1f} | "
                  f"{row['multiplicity']} | {row['j_hz']} |")


def real_hmqc(model) -> None:
    print("\n## Ibuprofen HMQC (expno 6)")
    spec = spectra.process(spectra.read(RAW / "lucyng_ibuprofen" / "6"))
    expected = np.array(IBUPROFEN_HMQC)
    for method in ("cnn", "threshold"):
        peaks = pick_peaks(spec, method, min_snr=8.0, model=model)
        cross = peaks.cross_peaks()
        sample = cross[cross["source"] == "sample"]
        found = sample[["shift_ppm_f2", "shift_ppm_f1"]].to_numpy()
        distance = (np.abs(expected[:, None, 0] - found[None, :, 0]) / 0.08
                    + np.abs(expected[:, None, 1] - found[None, :, 1]) / 1.5)
        hits = int((distance.min(axis=1) <= 1.0).sum()) if len(found) else 0
        others = sample.iloc[np.flatnonzero(distance.min(axis=0) > 1.0)] if len(found) else sample
        counts = cross["source"].value_counts().to_dict()
        print(f"{method}: {len(peaks)} maxima -> {len(cross)} cross peaks ({counts}); expected cross peaks found "
              f"{hits}/7; other sample cross peaks {len(others)} at (1H, 13C) "
              f"{[tuple(round(float(v), 2) for v in r) for r in others[['shift_ppm_f2', 'shift_ppm_f1']].to_numpy()]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--per-cell", type=int, default=16, help="synthetic spectra per (case, SNR) cell")
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL, help="peak-picker model file")
    parser.add_argument("--candidates", nargs="+", type=Path, default=None, metavar="PT",
                        help="compare these model files on the tuning seed only (for choices)")
    args = parser.parse_args()
    if args.candidates:
        print_header(seed=TUNE_SEED, candidates=" ".join(map(str, args.candidates)))
        compare_candidates(args.candidates, args.per_cell)
        return
    print_header(seed=TEST_SEED, model=args.model, data=RAW / "lucyng_ibuprofen")
    model = str(args.model)
    synthetic_table(args.per_cell, model)
    throughput(model)
    if (RAW / "lucyng_ibuprofen").is_dir():
        real_13c(model)
        real_1h(model)
        real_hmqc(model)


if __name__ == "__main__":
    main()
