"""NUS reconstruction benchmark: cnn, lstm, ist and zero-filling at 25 % and 12.5 % sampling.

Data: (1) a seeded synthetic test set (the training simulator, another seed), compared with the
fully sampled noisy signal; (2) the fully sampled methyl HSQC of FID-Net's examples, thinned
by a Poisson-gap schedule and processed exactly like the full data (same phases); (3) the real
25 % NUS HSQC of penguins_testdata/9 (no full data: compared with IST).

Metrics: RLNE of the spectrum, R² of the peak intensities (each data set's peaks, normalised by
its tallest), peak-position error (apex, parabolic, in spectrum points; F1 for 2D), time per
column and per 2D spectrum (synthetic: one column per call, model loading not timed; 2D: all
F2 columns of the spectrum in one call, inside ``process``).

Run: ``python bench/bench_nus.py [--n 200] [--methods cnn lstm ist zero-fill] [--all-columns]``
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

from _common import RAW, print_header
from shiftnet import spectra
from shiftnet.spectra.core import FID
from shiftnet.spectra.fourier import fid_to_spectrum
from shiftnet.spectra.peaks import local_maxima
from shiftnet.spectra_models.nus_task import simulate_problem
from shiftnet.spectra_models.reconstruction import METHODS, reconstruct, reconstructor

SEED = 20261128          # synthetic test set (training used 0, validation 1_000_003)
SCHEDULE_SEED = 7
FRACTIONS = (0.25, 0.125)
SIZE = 256
#: Extra reconstruct() options per method (set by --all-columns).
OPTIONS: dict[str, dict] = {}
METHYL = RAW / "fidnet_examples/example/methyl/test.fid"
PENGUINS = RAW / "penguins_testdata/9"


def _apex(line: np.ndarray, guess: int, half: int = 3) -> float:
    """Parabolic apex of ``line`` (real) within ``guess +- half`` points."""
    lo, hi = max(guess - half, 1), min(guess + half + 1, line.size - 1)
    i = lo + int(np.argmax(line[lo:hi]))
    a, b, c = line[i - 1], line[i], line[i + 1]
    denominator = a - 2 * b + c
    return i + (0.5 * (a - c) / denominator if denominator < 0 else 0.0)


def _r2(estimate: np.ndarray, reference: np.ndarray) -> float:
    return float(1.0 - np.sum((estimate - reference) ** 2) / np.sum((reference - reference.mean()) ** 2))


def _rlne(x: np.ndarray, reference: np.ndarray) -> float:
    return float(np.linalg.norm(x - reference) / np.linalg.norm(reference))


def synthetic(fraction: float, methods: list[str], n: int) -> dict[str, dict]:
    """Metrics of every method on ``n`` simulated problems (Poisson-gap, ``fraction``)."""
    problems = [simulate_problem(np.random.default_rng([SEED, i]), SIZE, fraction, "poisson-gap") for i in range(n)]
    full = np.stack([noisy for _, noisy, _ in problems], axis=1)
    clean_spectra = np.abs(fid_to_spectrum(np.stack([c for c, _, _ in problems], axis=1), axis=0))
    full_spectra = fid_to_spectrum(full, axis=0)
    out = {}
    for method in methods:
        warm = np.flatnonzero(problems[0][2])
        reconstruct(full[warm, 0], warm, SIZE, method=method, **OPTIONS.get(method, {}))  # loading not timed
        start, rec = time.perf_counter(), np.empty_like(full)
        for i, (_, noisy, mask) in enumerate(problems):   # schedules differ per problem
            schedule = np.flatnonzero(mask)
            rec[:, i] = reconstruct(noisy[schedule], schedule, SIZE, method=method, **OPTIONS.get(method, {}))
        seconds = time.perf_counter() - start
        rec_spectra = fid_to_spectrum(rec, axis=0)
        rlne = [_rlne(rec_spectra[:, i], full_spectra[:, i]) for i in range(n)]
        est, ref, shift = [], [], []
        for i in range(n):
            peaks, = local_maxima(clean_spectra[:, i], 0.05 * clean_spectra[:, i].max(), size=5)
            top = np.abs(full_spectra[:, i]).max()
            for p in peaks:
                ref.append(abs(full_spectra[p, i]) / top)
                est.append(abs(rec_spectra[p, i]) / top)
                shift.append(abs(_apex(np.abs(rec_spectra[:, i]), p) - _apex(np.abs(full_spectra[:, i]), p)))
        out[method] = dict(rlne=float(np.mean(rlne)), r2=_r2(np.array(est), np.array(ref)),
                           pos=float(np.mean(shift)), per_column_ms=1e3 * seconds / n, per_2d_s=float("nan"))
    return out


def _thinned(fid: FID, schedule: np.ndarray) -> FID:
    """The States row pairs of the scheduled t1 increments, with the schedule in ``meta``."""
    rows = np.stack([2 * schedule, 2 * schedule + 1], axis=1).ravel()
    return FID(data=fid.data[rows], nucleus=fid.nucleus, obs_mhz=fid.obs_mhz, sw_hz=fid.sw_hz,
               carrier_ppm=fid.carrier_ppm, quadrature_f1=fid.quadrature_f1, group_delay=fid.group_delay,
               meta={**fid.meta, "nuslist": schedule.tolist(), "nus_td": fid.data.shape[0], "fntype": 2})


def _phases(spectrum: spectra.Spectrum) -> tuple[tuple[float, float], tuple[float, float]]:
    records = {r["step"]: r for r in spectrum.meta["steps"]}
    return tuple((records[k]["p0_deg"], records[k]["p1_deg"]) for k in ("phase_f1", "phase_f2"))


def _timed(method: str) -> tuple[callable, list[float]]:
    seconds: list[float] = []
    inner = reconstructor(method, **OPTIONS.get(method, {}))

    def nus(measured, schedule, size):
        start = time.perf_counter()
        full = inner(measured, schedule, size)
        seconds.append(time.perf_counter() - start)
        return full

    nus.__name__ = inner.__name__
    return nus, seconds


def _compare_2d(rec: np.ndarray, ref: np.ndarray, peaks: tuple[np.ndarray, np.ndarray]) -> dict:
    rows, cols = peaks
    top = np.abs(ref[rows, cols]).max()
    shift = [abs(_apex(rec[:, c], r) - _apex(ref[:, c], r)) for r, c in zip(rows, cols)]
    return dict(rlne=_rlne(rec, ref), r2=_r2(rec[rows, cols] / top, ref[rows, cols] / top), pos=float(np.mean(shift)))


def methyl(fraction: float, methods: list[str]) -> dict[str, dict]:
    """Thin the fully sampled methyl FID, reconstruct, compare with the full spectrum."""
    fid = spectra.read(METHYL)
    full = spectra.process(fid)
    phase = _phases(full)
    reference = full.data
    peaks = local_maxima(reference, 20 * np.median(np.abs(reference)) / 0.6745, size=5, max_peaks=60)
    schedule = spectra.nus_schedule(fid.data.shape[0] // 2, fraction, seed=SCHEDULE_SEED)
    thin = _thinned(fid, schedule)
    out = {}
    for method in methods:
        nus, seconds = _timed(method)
        spec = spectra.process(thin, phase=phase, nus=nus)
        columns = spec.meta["steps"][[r["step"] for r in spec.meta["steps"]].index("f2")]["size"]
        out[method] = {**_compare_2d(spec.data, reference, peaks), "per_column_ms": 1e3 * seconds[0] / columns,
                       "per_2d_s": seconds[0]}
    out["_peaks"] = len(peaks[0])
    return out


def penguins(methods: list[str]) -> dict[str, dict]:
    """Real 25 % NUS HSQC: every method compared with IST (no fully sampled data exist)."""
    fid = spectra.read(PENGUINS)
    results, times = {}, {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        base = spectra.process(fid, nus=reconstructor("ist"), allow_negative=True)
        phase = _phases(base)
        for method in methods:
            nus, seconds = _timed(method)
            results[method] = spectra.process(fid, phase=phase, nus=nus, allow_negative=True).data
            times[method] = seconds[0]
    reference = results["ist"]
    peaks = local_maxima(np.abs(reference), 20 * np.median(np.abs(reference)) / 0.6745, size=5, max_peaks=60)
    columns = reference.shape[1]
    out = {m: {**_compare_2d(results[m], reference, peaks), "per_column_ms": 1e3 * times[m] / columns,
               "per_2d_s": times[m]} for m in methods}
    out["_peaks"] = len(peaks[0])
    return out


def _table(title: str, rows: dict[str, dict]) -> None:
    print(f"\n{title}")
    print("| method | RLNE | R² peak intensity | position error (points) | ms / column | s / 2D spectrum |")
    print("| --- | --- | --- | --- | --- | --- |")
    for method, m in rows.items():
        if not method.startswith("_"):
            print(f"| {method} | {m['rlne']:.3f} | {m['r2']:.4f} | {m['pos']:.2f} | {m['per_column_ms']:.2f} | "
                  f"{m['per_2d_s']:.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=200, help="synthetic problems per fraction")
    parser.add_argument("--methods", nargs="+", default=list(METHODS), choices=METHODS)
    parser.add_argument("--threads", type=int, default=1, help="torch CPU threads (the machine is shared)")
    parser.add_argument("--all-columns", action="store_true",
                        help="networks reconstruct every column of a 2D spectrum (skip_noise=False)")
    args = parser.parse_args()
    import torch

    if args.all_columns:
        OPTIONS.update({m: {"skip_noise": False} for m in ("cnn", "lstm")})

    torch.set_num_threads(args.threads)
    print_header(threads=args.threads, seed=f"synthetic set {SEED}, schedules {SCHEDULE_SEED} (Poisson-gap)", size=SIZE,
                 data=f"{METHYL}, {PENGUINS}", models="shiftnet/weights/nus_cnn.pt, nus_lstm.pt",
                 networks="every column" if args.all_columns else "signal columns only (skip_noise)")
    for fraction in FRACTIONS:
        _table(f"synthetic, {args.n} problems, {fraction:.1%} Poisson-gap (vs fully sampled noisy signal)",
               synthetic(fraction, args.methods, args.n))
        if METHYL.exists():
            result = methyl(fraction, args.methods)
            _table(f"methyl HSQC (FID-Net example), {fraction:.1%} Poisson-gap of 256 t1 points, "
                   f"{result['_peaks']} peaks (vs fully sampled spectrum)", result)
    if PENGUINS.exists() and "ist" in args.methods:
        result = penguins(args.methods)
        _table(f"penguins_testdata/9, real 25 % NUS, {result['_peaks']} peaks (vs IST: no full data)", result)


if __name__ == "__main__":
    main()
