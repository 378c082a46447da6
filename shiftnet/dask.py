"""Batch prediction on Dask: a compound library of any size, partition by partition, on one
machine's cores or a cluster (``pip install shiftnet[dask]``; the core package never imports Dask).

Each worker process loads the shipped models once (:func:`shiftnet.shifts.predict.default_predictor`
is cached per process) and streams its partitions through ``predict_iter``. The output is the
long schema of :data:`LONG_COLUMNS`: one row per predicted atom, a failed molecule one row with
``ok=False`` and its ``error``; ``index`` is the input row's global position.

Scaling: partitions are independent, so N workers give about N times one worker's rate until
the input storage or the scheduler's task overhead (~1 ms per partition) bounds it; each worker
needs about 0.7 GB (torch + RDKit + the model) and one core.
"""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Sequence

import numpy as np
import pandas as pd

from .export import results_table
from .readers import NAME_COLUMNS, SMILES_COLUMNS, StructureFileError

#: Columns of the output, in order.
LONG_COLUMNS = ["index", "name", "smiles", "atom_index", "parent_index", "element", "nucleus", "shift_ppm",
                "sigma_ppm", "exchangeable", "ok", "error", "solvent", "set_aside"]
_DTYPES = {"index": "int64", "name": "string", "smiles": "string", "atom_index": "Int64", "parent_index": "Int64",
           "element": "string", "nucleus": "string", "shift_ppm": "float64", "sigma_ppm": "float64",
           "exchangeable": "boolean", "ok": "bool", "error": "string", "solvent": "string", "set_aside": "string"}


def _meta() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype=t) for c, t in _DTYPES.items()})


def predict_frame(frame: pd.DataFrame, first_index: int = 0, smiles_column: str = "smiles",
                  name_column: str | None = None, nuclei: Sequence[str] = ("13C", "1H"),
                  solvent: str | None = None) -> pd.DataFrame:
    """Predict one pandas partition; returns it in the long schema (:data:`LONG_COLUMNS`).

    ``first_index`` is the global position of the partition's first row.
    """
    from .shifts.predict import predict_iter

    smiles = [s if isinstance(s, str) else None for s in frame[smiles_column].tolist()]
    names = frame[name_column].tolist() if name_column else [None] * len(frame)
    results = list(predict_iter(smiles, nuclei=nuclei, solvent=solvent))
    for result, name in zip(results, names):
        result.name = None if name is None or (isinstance(name, float) and np.isnan(name)) else str(name)
    table = results_table(results).rename(columns={"mol_index": "index"})
    table["index"] = table["index"].astype("int64") + first_index
    return table[LONG_COLUMNS].astype(_DTYPES)


def read_library(paths: str | Path | Sequence[str | Path], smiles_column: str | None = None):
    """A Dask DataFrame of the structure tables behind ``paths`` (a glob, a file, a folder of
    Parquet files, or a list): Parquet or CSV, one Dask partition per file or row group."""
    import dask.dataframe as dd

    files = _expand(paths)
    reader = dd.read_parquet if files[0].suffix.lower() == ".parquet" else dd.read_csv
    kwargs = {} if reader is dd.read_parquet else {"dtype": str, "keep_default_na": False, "blocksize": "16MB"}
    frame = reader([str(f) for f in files], **kwargs)
    _columns(frame.columns, smiles_column, files[0])
    return frame


def _expand(paths: str | Path | Sequence[str | Path]) -> list[Path]:
    items = [paths] if isinstance(paths, (str, Path)) else list(paths)
    files: list[Path] = []
    for item in items:
        item = Path(item)
        if item.is_dir():
            files += sorted(item.glob("*.parquet"))
        elif any(ch in str(item) for ch in "*?["):
            files += sorted(Path(p) for p in glob.glob(str(item)))
        elif item.is_file():
            files.append(item)
        else:
            raise StructureFileError(f"structure file not found: {item}")
    if not files:
        raise StructureFileError(f"no structure files match {paths}")
    return files


def _columns(columns, smiles_column: str | None, path: Path) -> tuple[str, str | None]:
    """``(smiles column, name column or None)``; raises naming the file when there is no SMILES."""
    smiles = smiles_column or next((c for c in SMILES_COLUMNS if c in columns), None)
    if smiles is None or smiles not in columns:
        raise StructureFileError(f"{path}: no SMILES column (looked for {smiles_column or ', '.join(SMILES_COLUMNS)})")
    return smiles, next((c for c in NAME_COLUMNS if c in columns), None)


def predict_partitions(ddf_or_paths, smiles_column: str | None = None, nuclei: Sequence[str] = ("13C", "1H"),
                       solvent: str | None = None):
    """A lazy Dask DataFrame of predictions in the long schema, one output partition per input
    partition (see the module docstring). Only the partition lengths are computed here (for the
    global ``index``); the predictions run when the result is computed.

    Parameters
    ----------
    ddf_or_paths : a Dask DataFrame with a SMILES column, or paths for :func:`read_library`.
    smiles_column : the SMILES column (default: the first of smiles, SMILES, canonical_smiles, ...).
    nuclei, solvent : as in :func:`shiftnet.predict`.
    """
    import dask.dataframe as dd

    ddf = ddf_or_paths if isinstance(ddf_or_paths, dd.DataFrame) else read_library(ddf_or_paths, smiles_column)
    smiles, name = _columns(ddf.columns, smiles_column, Path("<dataframe>"))
    lengths = ddf.map_partitions(len).compute()
    starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
    parts = [dd.from_delayed([_delayed_partition(part, int(start), smiles, name, tuple(nuclei), solvent)],
                             meta=_meta(), verify_meta=False)
             for part, start in zip(ddf.to_delayed(), starts)]
    return dd.concat(parts) if len(parts) > 1 else parts[0]


def _delayed_partition(part, start: int, smiles: str, name: str | None, nuclei: tuple, solvent: str | None):
    from dask import delayed

    return delayed(predict_frame)(part, start, smiles, name, nuclei, solvent)


def predict_to_directory(paths, out_dir: Path, scheduler: str | None = None, workers: int = 2,
                         smiles_column: str | None = None, nuclei: Sequence[str] = ("13C", "1H"),
                         solvent: str | None = None) -> dict[str, int]:
    """Predict a library into ``out_dir/part-NNNNN.parquet``, one file per input partition.

    Resumable: a partition whose file exists is skipped (files are written under a temporary
    name and renamed when complete). ``scheduler``: the address of a running Dask scheduler;
    None starts a local cluster of ``workers`` processes. Returns counts: ``partitions``,
    ``written``, ``skipped``, ``molecules``, ``ok``.
    """
    from dask import delayed
    from distributed import Client, LocalCluster

    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    ddf = read_library(paths, smiles_column)
    smiles, name = _columns(ddf.columns, smiles_column, Path(str(paths)))
    cluster = None if scheduler else LocalCluster(n_workers=workers, threads_per_worker=1, processes=True)
    with Client(scheduler or cluster) as client:
        lengths = client.compute(ddf.map_partitions(len)).result()
        starts = np.concatenate([[0], np.cumsum(lengths)[:-1]]).astype(np.int64)
        tasks, skipped = [], 0
        for number, (part, start) in enumerate(zip(ddf.to_delayed(), starts)):
            target = out_dir / f"part-{number:05d}.parquet"
            if target.is_file():
                skipped += 1
                continue
            tasks.append(delayed(_write_partition)(part, int(start), smiles, name, tuple(nuclei), solvent,
                                                   str(target)))
        counts = client.compute(tasks, sync=True) if tasks else []
    if cluster is not None:
        cluster.close()
    return {"partitions": len(starts), "written": len(tasks), "skipped": skipped,
            "molecules": int(sum(c[0] for c in counts)), "ok": int(sum(c[1] for c in counts))}


def _write_partition(part: pd.DataFrame, start: int, smiles: str, name: str | None, nuclei: tuple,
                     solvent: str | None, target: str) -> tuple[int, int]:
    """Predict one partition and write it atomically; returns ``(molecules, ok)``."""
    table = predict_frame(part, start, smiles, name, nuclei, solvent)
    temporary = Path(target).with_suffix(".parquet.tmp")
    table.to_parquet(temporary, index=False)
    temporary.replace(target)
    molecules = table.drop_duplicates("index")
    return len(molecules), int(molecules["ok"].sum())
