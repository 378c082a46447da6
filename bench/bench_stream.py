"""Memory of the streaming CLI: `shiftnet predict -i big.smi -o out.parquet` at growing file sizes.

Writes a SMILES file of N lines (NMRShiftDB2 SMILES repeated, plus one bad line per 1,000),
runs the CLI in a child process and prints wall time, rate and the child's peak RSS, which
must stay flat as N grows. Checks that the output has one molecule entry per input line.

    python bench/bench_stream.py --n 20000 100000
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from _common import NMRSHIFTDB2 as DATA, print_header


def write_smiles(path: Path, n: int) -> None:
    pool = pd.read_parquet(DATA / "unassigned_13c.parquet", columns=["smiles"])["smiles"].tolist()
    with open(path, "w") as fh:
        for i in range(n):
            fh.write(("not_a_smiles" if i % 1000 == 999 else pool[i % len(pool)]) + f" m{i}\n")


def run_cli(source: Path, output: Path) -> tuple[float, float]:
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "shiftnet.cli", "predict", "-i", str(source), "-o", str(output),
                    "--no-progress"], check=True, stderr=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return elapsed, peak_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n", type=int, nargs="+", default=[20000, 100000])
    args = parser.parse_args()
    print_header()
    with tempfile.TemporaryDirectory() as tmp:
        for n in args.n:
            source, output = Path(tmp) / f"in_{n}.smi", Path(tmp) / f"out_{n}.parquet"
            write_smiles(source, n)
            elapsed, peak_mb = run_cli(source, output)
            table = pq.read_table(output, columns=["mol_index", "ok"]).to_pandas()
            molecules = table.groupby("mol_index")["ok"].first()
            print(f"n={n:>9,}: {elapsed:8.1f} s, {n / elapsed:6.0f} mol/s, peak RSS (largest child so far) "
                  f"{peak_mb:6.0f} MB, output molecules {len(molecules):,} ({(~molecules).sum()} failed)")


if __name__ == "__main__":
    main()
