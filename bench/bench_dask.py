"""Batch prediction on Dask: molecules per second with 1 and 2 local worker processes, and the
memory of each worker.

    python bench/bench_dask.py --n 50000 --partitions 20

SMILES come from NMRShiftDB2 (all three tables, repeated to ``--n``), written as ``--partitions``
Parquet files; each configuration predicts them into a fresh folder with
``shiftnet.dask.predict_to_directory`` on a ``LocalCluster`` (one thread per worker).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from _common import NMRSHIFTDB2, print_header


def library(n: int, folder: Path, partitions: int) -> None:
    """``n`` SMILES from NMRShiftDB2 (repeated as needed) in ``partitions`` Parquet files."""
    smiles = pd.concat([pd.read_parquet(NMRSHIFTDB2 / name, columns=["smiles"])["smiles"]
                        for name in ("dev.parquet", "extra_assigned.parquet", "unassigned_13c.parquet")])
    smiles = np.resize(smiles.to_numpy(), n)
    for number, part in enumerate(np.array_split(smiles, partitions)):
        pd.DataFrame({"smiles": part}).to_parquet(folder / f"chunk{number:03d}.parquet")


def run(folder: Path, out: Path, workers: int) -> tuple[float, dict, list[float]]:
    """Seconds, counts and peak RSS (MB) per worker for one configuration."""
    import psutil
    from distributed import Client, LocalCluster

    from shiftnet.dask import predict_to_directory

    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True) as cluster, \
            Client(cluster) as client:
        client.run(lambda: __import__("shiftnet.shifts.predict").shifts.predict.default_predictor())  # load models
        start = time.perf_counter()
        counts = predict_to_directory(str(folder / "*.parquet"), out, scheduler=cluster.scheduler_address)
        seconds = time.perf_counter() - start
        rss = client.run(lambda: psutil.Process().memory_info().rss / 2**20)
    return seconds, counts, sorted(rss.values())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--partitions", type=int, default=20)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print_header(molecules=args.n, partitions=args.partitions)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "library"
        folder.mkdir()
        library(args.n, folder, args.partitions)
        for workers in args.workers:
            seconds, counts, rss = run(folder, Path(tmp) / f"out_{workers}", workers)
            print(f"{workers} worker(s): {counts['molecules']} molecules ({counts['ok']} ok) in {seconds:.1f} s = "
                  f"{counts['molecules'] / seconds:.0f} mol/s; worker RSS {', '.join(f'{r:.0f}' for r in rss)} MB "
                  "(models loaded before timing)")


if __name__ == "__main__":
    main()
