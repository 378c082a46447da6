"""The training corpus: read every source, split by skeleton, clean training labels, fingerprint,
and cache the featurised examples safely.

The cache is a NumPy ``.npz`` file read with ``allow_pickle=False`` (data, never code), named by
a key over everything that determines its content: the input files (resolved path, size,
modification time), the options and the featuriser version. Other inputs give another file, so a
rerun with other ``--data`` never trains on stale examples.
"""

from __future__ import annotations

import hashlib
import json
import logging
from pathlib import Path

import numpy as np
import pandas as pd

from .data import ShiftExample, load_assigned_table, load_unassigned_table, split_bucket
from .featurize import FEATURIZER_VERSION, MolGraph

log = logging.getLogger("shiftnet.shifts.corpus")

#: Skeleton bucket of the test split (:func:`shiftnet.shifts.data.split_bucket` of the InChIKey
#: first block): never trained on and never used for choices; release numbers are reported on
#: it. Validation (for choices) is bucket 0.
TEST_BUCKET = 1
#: 13C labels whose spectra disagree by more than this (ppm) are left out of training.
MAX_SPECTRA_SPREAD_13C = 2.0
#: Bumped whenever the cached arrays change meaning.
CACHE_VERSION = 1
_ARRAY_FIELDS = ("y_13c", "y_1h", "match_group", "match_value", "spread_13c")
_GRAPH_FIELDS = ("x", "edge_index", "edge_attr")
_TEXT_FIELDS = ("key", "source", "mol_id")


def load_training_data(paths: list[Path], unassigned: Path | None = None,
                       outliers: Path | None = None, val_bucket: int = 0,
                       cache_dir: Path | None = None, test_bucket: int | None = TEST_BUCKET) -> tuple[list, list, dict]:
    """Read assigned tables/SD files (+ optional unassigned lists) and split by skeleton.

    ``paths`` are ``dev.parquet``-layout tables (.parquet/.csv) or NMRShiftDB2 SD files.
    Skeletons of ``test_bucket`` (the test split; None: no test split) are left out entirely;
    unassigned molecules whose skeleton is in validation or test are dropped. Training (never
    validation) labels are cleaned: the 13C values listed in ``outliers`` and those whose
    spectra disagree by more than :data:`MAX_SPECTRA_SPREAD_13C`. With ``cache_dir``, the
    result is cached there under a key of the inputs (see the module docstring). Returns
    ``(train, val, info)``; ``info`` holds counts, skipped records and a data fingerprint.
    """
    paths = [Path(p) for p in paths]
    cache = None
    if cache_dir is not None:
        key = _cache_key(paths, unassigned, outliers, val_bucket, test_bucket)
        cache = Path(cache_dir) / f"data_cache_{key}.npz"
        if cache.is_file():
            log.info("training data from the cache %s", cache)
            return read_cache(cache)
    examples, skipped = [], []
    for path in paths:
        found, bad = load_assigned_table(path, path.name.split(".")[0])
        examples += found
        skipped += bad
    held_out = {e.key for e in examples if test_bucket is not None and split_bucket(e.key) == test_bucket}
    train, val = split_examples([e for e in examples if e.key not in held_out], val_bucket)
    if outliers:
        drop_doubtful_labels(train, pd.read_csv(outliers))
    n_disagreeing = drop_disagreeing_labels(train)
    if unassigned is not None:
        found, bad = load_unassigned_table(Path(unassigned), {e.key for e in val},
                                           () if test_bucket is None else (test_bucket,))
        train += found
        skipped += bad
    info = {"sources": [str(p) for p in paths] + ([str(unassigned)] if unassigned else []),
            "outliers": str(outliers) if outliers else None, "n_skipped": len(skipped),
            "n_dropped_disagreeing_13c": n_disagreeing,
            "fingerprint": fingerprint(train + val), "val_bucket": val_bucket, "test_bucket": test_bucket}
    if cache is not None:
        write_cache(cache, train, val, info)
    return train, val, info


def load_test_data(paths: list[Path], test_bucket: int = TEST_BUCKET) -> tuple[list[ShiftExample], dict]:
    """The test split of assigned tables/SD files: every label kept (nothing cleaned); returns
    ``(examples, info)``."""
    examples = []
    for path in map(Path, paths):
        examples += load_assigned_table(path, path.name.split(".")[0])[0]
    test = [e for e in examples if split_bucket(e.key) == test_bucket]
    return test, {"test_bucket": test_bucket, "fingerprint": fingerprint(test), "n": len(test)}


def split_examples(examples: list[ShiftExample], val_bucket: int) -> tuple[list, list]:
    """Skeleton split: examples whose skeleton key hashes to ``val_bucket`` are validation."""
    val = [e for e in examples if split_bucket(e.key) == val_bucket]
    train = [e for e in examples if split_bucket(e.key) != val_bucket]
    return train, val


def drop_disagreeing_labels(examples: list[ShiftExample], max_spread: float = MAX_SPECTRA_SPREAD_13C) -> int:
    """Remove 13C labels whose raw per-spectrum values (``spread_13c``) differ by more than
    ``max_spread`` ppm: one of the spectra is misassigned. Training data only; returns the count."""
    removed = 0
    for example in examples:
        if example.spread_13c is None:
            continue
        bad = (example.spread_13c > max_spread) & ~np.isnan(example.y_13c)
        example.y_13c[bad] = np.nan
        removed += int(bad.sum())
    return removed


def drop_doubtful_labels(examples: list[ShiftExample], table: pd.DataFrame) -> int:
    """Remove listed labels (``mol_id``, ``atom_index``; an optional ``nucleus`` column, "13C"
    or "1H", defaults to 13C) from training examples.

    Only training data is cleaned; validation keeps every label. Atom indices are node indices
    because NMRShiftDB2 tables list heavy atoms first (a 1H row names the heavy atom carrying
    the H). Returns the number of labels removed.
    """
    nuclei = table["nucleus"] if "nucleus" in table else pd.Series("13C", index=table.index)
    unknown = set(nuclei) - {"13C", "1H"}
    if unknown:
        raise ValueError(f"doubtful-label list: unknown nucleus {sorted(unknown)}; use 13C or 1H")
    by_id: dict[str, list[tuple[int, str]]] = {}
    for mol_id, atom, nucleus in zip(table["mol_id"].astype(str), table["atom_index"], nuclei):
        by_id.setdefault(mol_id, []).append((int(atom), nucleus))
    removed = 0
    for example in examples:
        for atom, nucleus in by_id.get(example.mol_id, []):
            labels = example.y_13c if nucleus == "13C" else example.y_1h
            if atom < labels.size and not np.isnan(labels[atom]):
                labels[atom] = np.nan
                removed += 1
    return removed


def fingerprint(examples: list[ShiftExample]) -> str:
    """sha256 of the sorted (source, id) pairs: identifies the training data."""
    ids = sorted(f"{e.source}:{e.mol_id}" for e in examples)
    return hashlib.sha256("\n".join(ids).encode()).hexdigest()[:16]


def _cache_key(paths: list[Path], unassigned: Path | None, outliers: Path | None, val_bucket: int,
               test_bucket: int | None) -> str:
    """16 hex digits over the inputs' identity (path, size, mtime), the options and versions."""
    def identity(path: Path | None) -> list | None:
        if path is None:
            return None
        stat = Path(path).stat()
        return [str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns]

    key = {"paths": [identity(p) for p in paths], "unassigned": identity(unassigned),
           "outliers": identity(outliers), "val_bucket": val_bucket, "test_bucket": test_bucket,
           "featurizer": FEATURIZER_VERSION, "cache_version": CACHE_VERSION,
           "max_spread_13c": MAX_SPECTRA_SPREAD_13C}
    return hashlib.sha256(json.dumps(key, sort_keys=True).encode()).hexdigest()[:16]


def write_cache(path: Path, train: list[ShiftExample], val: list[ShiftExample], info: dict) -> None:
    """Write the split examples as concatenated arrays with per-example offsets (``.npz``)."""
    examples = train + val
    arrays: dict[str, np.ndarray] = {"info": np.array(json.dumps(info)), "n_train": np.array(len(train))}
    arrays["solvent"] = np.array([e.solvent for e in examples], dtype=np.int64)
    for name in _TEXT_FIELDS:
        arrays[name] = np.array([getattr(e, name) for e in examples], dtype=str)
    for name in _GRAPH_FIELDS:
        parts = [getattr(e.graph, name) for e in examples]
        _pack(arrays, name, parts, axis=1 if name == "edge_index" else 0)
    for name in _ARRAY_FIELDS:
        parts = [getattr(e, name) for e in examples]
        arrays[f"{name}_present"] = np.array([p is not None for p in parts])
        _pack(arrays, name, [p if p is not None else np.zeros(0, np.float32) for p in parts], axis=0)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **arrays)


def read_cache(path: Path) -> tuple[list[ShiftExample], list[ShiftExample], dict]:
    """Inverse of :func:`write_cache`; data only (``allow_pickle=False``)."""
    with np.load(path, allow_pickle=False) as stored:
        arrays = {name: stored[name] for name in stored.files}
    n = arrays["solvent"].size
    graphs = {name: _unpack(arrays, name, axis=1 if name == "edge_index" else 0) for name in _GRAPH_FIELDS}
    values = {name: _unpack(arrays, name, axis=0) for name in _ARRAY_FIELDS}
    examples = [
        ShiftExample(graph=MolGraph(**{k: graphs[k][i] for k in _GRAPH_FIELDS}), solvent=int(arrays["solvent"][i]),
                     **{k: str(arrays[k][i]) for k in _TEXT_FIELDS},
                     **{k: values[k][i] if arrays[f"{k}_present"][i] else None for k in _ARRAY_FIELDS})
        for i in range(n)]
    n_train = int(arrays["n_train"])
    return examples[:n_train], examples[n_train:], json.loads(str(arrays["info"]))


def _pack(arrays: dict, name: str, parts: list[np.ndarray], axis: int) -> None:
    arrays[name] = np.concatenate(parts, axis=axis)
    arrays[f"{name}_offsets"] = np.cumsum([0] + [p.shape[axis] for p in parts])


def _unpack(arrays: dict, name: str, axis: int) -> list[np.ndarray]:
    offsets = arrays[f"{name}_offsets"]
    return np.split(arrays[name], offsets[1:-1], axis=axis)
