"""Batch prediction on Dask: the same table as single-process prediction, bad rows kept, a
killed worker's partitions redone, resumable partitioned output."""

from __future__ import annotations

import os
import signal
import time

import pandas as pd
import pytest

from shiftnet import predict
from shiftnet.cli import main

dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")
pytestmark = pytest.mark.slow

SMILES = ["CCO", "c1ccccc1", "bad(", "", "CC(=O)Oc1ccccc1C(=O)O", "[Na+].[O-]C(=O)C", "[Xe]", "CCN(CC)CC"]


def _library(n: int = 240) -> pd.DataFrame:
    return pd.DataFrame({"smiles": [SMILES[i % len(SMILES)] + ("C" * (i % 5) if i % 7 == 0 else "")
                                    for i in range(n)], "name": [f"m{i}" for i in range(n)]})


def _reference(frame: pd.DataFrame) -> pd.DataFrame:
    from shiftnet.dask import predict_frame

    return predict_frame(frame, 0, "smiles", "name")


def test_two_workers_give_the_single_process_table_and_survive_a_killed_worker():
    from shiftnet.dask import predict_partitions

    library = _library()
    expected = _reference(library)
    assert expected.drop_duplicates("index")["ok"].sum() < len(library)  # bad rows are in there
    single = predict(library["smiles"].tolist())
    assert [r.ok for r in single] == expected.drop_duplicates("index")["ok"].tolist()
    ddf = dd.from_pandas(library, npartitions=12)
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, \
            distributed.Client(cluster) as client:
        future = client.compute(predict_partitions(ddf))
        pids = client.run(os.getpid)
        while not any(client.processing().values()):  # wait until partitions are running
            time.sleep(0.05)
        os.kill(next(iter(pids.values())), signal.SIGKILL)  # Dask retries that worker's partitions
        result = future.result(timeout=300)
    result = result.sort_values(["index", "nucleus", "atom_index"]).reset_index(drop=True)
    expected = expected.sort_values(["index", "nucleus", "atom_index"]).reset_index(drop=True)
    pd.testing.assert_frame_equal(result, expected)


def test_cli_writes_one_resumable_file_per_partition(tmp_path, capsys):
    library = _library(60)
    folder = tmp_path / "library"
    folder.mkdir()
    for part in range(3):
        library.iloc[part * 20:(part + 1) * 20].to_parquet(folder / f"chunk{part}.parquet")
    out = tmp_path / "out"
    args = ["predict", "-i", str(folder / "*.parquet"), "-o", f"{out}/", "--workers", "1"]
    assert main(args) == 0
    files = sorted(out.glob("part-*.parquet"))
    assert len(files) == 3
    table = pd.concat([pd.read_parquet(f) for f in files])
    assert sorted(table["index"].unique()) == list(range(60))
    assert set(table.loc[~table["ok"], "error"]) >= {"cannot parse SMILES 'bad('", "empty SMILES"}
    files[1].unlink()
    assert main(args) == 0
    assert "1 written, 2 already done" in capsys.readouterr().err
    assert len(list(out.glob("part-*.parquet"))) == 3
