"""Throughput of the spectrum simulator.

Prints FIDs per second for: a batch of 13C FIDs (~20 lines each), a batch of 1H FIDs made of
first-order multiplets (~100 lines each), and single ``simulate()`` calls from a shift list
(FID, spectrum, noise and exact labels). Run::

    nice python bench/bench_simulate.py --points 4096 --batch 2048 --seed 0
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from shiftnet.spectra.core import PPMScale
from shiftnet.spectra.multiplets import multiplet
from shiftnet.spectra.lines import simulate_fids
from shiftnet.spectra.simulate import simulate

from _common import print_header


def _rate(fn, count: int, repeats: int) -> float:
    """Best items-per-second over ``repeats`` runs of ``fn`` (which makes ``count`` items)."""
    best = np.inf
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - start)
    return count / best


def c13_lines(rng: np.random.Generator, batch: int, n_lines: int) -> tuple[np.ndarray, np.ndarray]:
    """Random 13C line lists, shape ``(batch, n_lines)``, within 0..220 ppm."""
    return rng.uniform(0.0, 220.0, (batch, n_lines)), rng.integers(1, 4, (batch, n_lines)).astype(float)


def h1_lines(rng: np.random.Generator, batch: int, obs_mhz: float) -> tuple[np.ndarray, np.ndarray]:
    """Random 1H multiplet line lists (16 spins, 2-3 couplings each), padded to the longest."""
    spectra = []
    for _ in range(batch):
        shifts, amps = [], []
        for centre in rng.uniform(0.5, 9.5, 16):
            offsets, weights = multiplet(rng.uniform(1.0, 16.0, int(rng.integers(2, 4))).round(1))
            shifts.append(centre + offsets / obs_mhz)
            amps.append(weights * rng.integers(1, 4))
        spectra.append((np.concatenate(shifts), np.concatenate(amps)))
    width = max(s.size for s, _ in spectra)
    shifts = np.zeros((batch, width))
    amps = np.zeros((batch, width))
    for row, (s, a) in enumerate(spectra):
        shifts[row, : s.size], amps[row, : a.size] = s, a
    return shifts, amps


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--points", type=int, default=4096, help="complex points per FID")
    parser.add_argument("--batch", type=int, default=2048, help="FIDs per batched call")
    parser.add_argument("--single", type=int, default=200, help="single simulate() calls")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    rng = np.random.default_rng(args.seed)

    print_header(seed=args.seed, points=args.points, batch=args.batch, repeats=f"best of {args.repeats}")

    c13 = PPMScale(args.points, 240.0 * 125.7, 125.7, 110.0)
    shifts, amps = c13_lines(rng, args.batch, 20)
    rate = _rate(lambda: simulate_fids(shifts, amps, 5.0, c13), args.batch, args.repeats)
    print(f"13C batch, 20 lines/FID:            {rate:10.0f} FIDs/s")

    h1 = PPMScale(args.points, 16.0 * 500.0, 500.0, 5.5)
    start = time.perf_counter()
    shifts, amps = h1_lines(rng, args.batch, 500.0)
    build = args.batch / (time.perf_counter() - start)
    lines = int((amps > 0).sum(axis=1).mean())
    rate = _rate(lambda: simulate_fids(shifts, amps, 1.5, h1), args.batch, args.repeats)
    print(f"1H batch, {lines} lines/FID (padded {shifts.shape[1]}): {rate:10.0f} FIDs/s "
          f"(multiplet line lists built at {build:.0f}/s)")

    shift_lists = [rng.uniform(0.0, 220.0, 20).tolist() for _ in range(args.single)]
    calls = iter(shift_lists * args.repeats)
    rate = _rate(lambda: [simulate(next(calls), nucleus="13C", n_points=args.points, linewidth_hz=5.0, snr=50.0,
                                   seed=args.seed) for _ in range(args.single)], args.single, args.repeats)
    print(f"simulate() single calls, 20 shifts:  {rate:10.0f} spectra/s (FID + spectrum + noise + labels)")


if __name__ == "__main__":
    main()
