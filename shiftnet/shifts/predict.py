"""Batched shift prediction with the shipped model(s): inputs -> one MoleculeResult per input.

Work per molecule is parsing and reading atom/bond properties from RDKit once; features, the
network and the result tables are computed per batch with numpy/torch (no per-atom Python
loops), and each molecule's table is a slice of its batch's table.
"""

from __future__ import annotations

import functools
import sys
from collections import deque
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from itertools import islice
from pathlib import Path
from typing import IO, Iterable, Iterator, Sequence

import numpy as np
from rdkit import Chem

from .featurize import CARBON_CODE, GraphBatch, featurize_batch
from .model import NUCLEI, ShiftModel, load_model
from .uncertainty import ensemble_forward
from ..export import check_not_an_input, open_writer, output_format
from ..nn import resolve_device
from ..molecules import MoleculeError, PreparedMolecule, prepare, to_mol
from ..readers import StructureRecord, read_structures
from ..results import BatchTable, MoleculeResult
from ..solvents import MODEL_SOLVENTS, solvent_index

WEIGHTS_DIR = Path(__file__).resolve().parents[1] / "weights"
#: The opt-in accurate ensemble (``accurate=True``): two distilled networks, about 20 % slower.
ACCURATE_DIR = WEIGHTS_DIR / "accurate"
_EXCHANGEABLE_PARENTS = np.array([7, 8, 9, 16, 17, 35, 53])  # H on N, O, S and halogens exchange


@dataclass
class _Prepared:
    """A molecule that passed parsing and featurisation, waiting for the forward pass."""

    index: int
    name: str | None
    smiles: str
    prepared: PreparedMolecule
    solvent: int


def default_model_paths(accurate: bool = False) -> list[Path]:
    """The shipped model files (``shiftnet/weights/shift_model_*.pt``; several = an ensemble);
    ``accurate``: those of the accurate ensemble (``shiftnet/weights/accurate/``)."""
    folder = ACCURATE_DIR if accurate else WEIGHTS_DIR
    paths = sorted(folder.glob("shift_model_*.pt"))
    if not paths:
        raise FileNotFoundError(f"no shipped shift models found in {folder}")
    return paths


class ShiftPredictor:
    """Predicts 13C and 1H shifts with one :class:`ShiftModel` file or an ensemble of them.

    Parameters
    ----------
    model_paths : model files; default: the shipped model(s). Several files are combined as an
        ensemble (mean of means; variance = mean of variances + variance of means).
    batch_size : molecules per forward pass.
    chunk_size : molecules read, predicted and yielded together by :meth:`predict_iter`.
    workers : processes that parse and featurise the next chunks while the network runs on
        the current one (0: everything in this process). Only for machines with spare cores:
        on 2 cores it measured slower than 0 (bench/bench_predict.py).
    device : "auto" (CUDA when present), "cpu" or "cuda"; featurisation stays on the CPU.
    accurate : without ``model_paths``, load the shipped accurate ensemble instead of the fast
        default (two networks: lower error, about 20 % slower; see the model card).
    """

    def __init__(self, model_paths: Sequence[Path] | None = None, batch_size: int = 128,
                 chunk_size: int = 2048, workers: int = 0, device: str = "auto", accurate: bool = False) -> None:
        self.model_paths = [Path(p) for p in (model_paths or default_model_paths(accurate))]
        self.device = resolve_device(device)
        self.models: list[ShiftModel] = [load_model(p)[0].to(self.device) for p in self.model_paths]
        self.batch_size = batch_size
        self.chunk_size = chunk_size
        self.workers = workers

    def predict(self, inputs, nuclei: Sequence[str] = NUCLEI, solvent=None,
                progress: bool = False) -> list[MoleculeResult]:
        """All results as a list (see :meth:`predict_iter`)."""
        return list(self.predict_iter(inputs, nuclei=nuclei, solvent=solvent, progress=progress))

    def predict_iter(self, inputs, nuclei: Sequence[str] = NUCLEI, solvent=None,
                     progress: bool = False) -> Iterator[MoleculeResult]:
        """Yield one :class:`MoleculeResult` per input molecule, in input order, chunk by chunk.

        ``inputs``: a SMILES ``str``, an RDKit ``Mol``, a ``Path`` to a structure file, or an
        iterable of those. ``solvent``: None, one name, or one name per input molecule.
        """
        nuclei = _check_nuclei(nuclei)
        records = _records(inputs)
        solvents = _solvent_stream(solvent)
        bar = _ProgressBar(enabled=progress)
        for start, prepared in self._prepared_chunks(records, solvents):
            results = self._predict_chunk(prepared, start, nuclei)
            yield from results
            bar.update(len(results))
        bar.close()

    def predict_to_file(self, inputs, output: Path | None, fmt: str | None = None,
                        nuclei: Sequence[str] = NUCLEI, solvent=None, progress: bool = False,
                        stream: IO[str] | None = None, plot: Path | None = None) -> tuple[int, int]:
        """Predict and write chunk by chunk (bounded memory); returns ``(n_ok, n_total)``.

        ``output``: a file whose suffix (or ``fmt``: csv, tsv, json, sdf, parquet) gives the
        format, or None for CSV/TSV on ``stream``. An output that is one of the input files is
        refused (``ValueError``) before anything is read or written, and so is an unreadable
        structure file (:class:`~shiftnet.readers.StructureFileError`). ``plot``: a picture per
        predicted molecule (:func:`shiftnet.plot.plot_prediction`) at that path for a single
        input molecule, else at ``<stem>_<index><suffix>``. On an interrupt the results
        predicted so far are written and the file is closed, so it stays readable.
        """
        paths = _input_paths(inputs)
        check_not_an_input(output, paths)
        output_format(output, fmt)
        for path in paths:
            read_structures(path)  # a file that cannot be read at all fails before the output is created
        single = _is_single(inputs)
        writer = open_writer(output, fmt, stream=stream)
        n_ok = n_total = 0
        chunk: list[MoleculeResult] = []
        try:
            for result in self.predict_iter(inputs, nuclei=nuclei, solvent=solvent, progress=progress):
                chunk.append(result)
                n_total += 1
                n_ok += result.ok
                if plot is not None and result.ok:
                    _plot_result(result, plot, single)
                if len(chunk) >= self.chunk_size:
                    writer.write(chunk)
                    chunk = []
        finally:
            if chunk:
                writer.write(chunk)
            writer.close()
        return n_ok, n_total

    def _chunks(self, records: Iterator[StructureRecord], solvents: Iterator) -> Iterator[tuple]:
        start = 0
        while chunk := list(islice(records, self.chunk_size)):
            yield chunk, list(islice(solvents, len(chunk))), start
            start += len(chunk)

    def _prepared_chunks(self, records, solvents) -> Iterator[tuple[int, list]]:
        """``(start index, prepared chunk)``, featurised here or, ahead of use, in worker processes."""
        chunks = self._chunks(records, solvents)
        if self.workers <= 0:
            for chunk, chunk_solvents, start in chunks:
                yield start, _prepare_chunk(chunk, chunk_solvents, start)
            return
        with ProcessPoolExecutor(self.workers) as pool:
            pending: deque = deque()
            for chunk, chunk_solvents, start in chunks:
                pending.append((start, pool.submit(_prepare_chunk, chunk, chunk_solvents, start)))
                if len(pending) > self.workers:
                    first, future = pending.popleft()
                    yield first, future.result()
            while pending:
                first, future = pending.popleft()
                yield first, future.result()

    def _predict_chunk(self, prepared: list, start: int, nuclei: tuple[str, ...]) -> list[MoleculeResult]:
        results: list[MoleculeResult | None] = [p if isinstance(p, MoleculeResult) else None for p in prepared]
        ready: list[_Prepared] = [p for p in prepared if not isinstance(p, MoleculeResult)]
        for first in range(0, len(ready), self.batch_size):
            batch = ready[first:first + self.batch_size]
            graph = featurize_batch([p.prepared for p in batch], [p.solvent for p in batch])
            mean, var = self._forward(graph)
            for item, result in zip(batch, _build_results(batch, graph, mean, var, nuclei)):
                results[item.index - start] = result
        return results  # type: ignore[return-value]

    def _forward(self, graph: GraphBatch) -> tuple[dict, dict]:
        """Ensemble mean and total variance (mean of variances + variance of means) per node."""
        out = ensemble_forward(self.models, graph.to(self.device))
        return ({n: out[n][0].cpu().numpy() for n in NUCLEI}, {n: out[n][1].cpu().numpy() for n in NUCLEI})


def _check_nuclei(nuclei: Sequence[str] | str) -> tuple[str, ...]:
    nuclei = (nuclei,) if isinstance(nuclei, str) else tuple(nuclei)
    unknown = [n for n in nuclei if n not in NUCLEI]
    if unknown or not nuclei:
        raise ValueError(f"unsupported nucleus {unknown or nuclei}; the models predict {', '.join(NUCLEI)}")
    return nuclei


def _is_single(inputs) -> bool:
    """True when ``inputs`` is one molecule (not a file, not several)."""
    if isinstance(inputs, (list, tuple)) and len(inputs) == 1:
        inputs = inputs[0]
    return isinstance(inputs, (str, Chem.Mol))


def _plot_result(result: MoleculeResult, path: Path, single: bool) -> None:
    from ..plot import plot_prediction

    path = Path(path)
    plot_prediction(result, path if single else path.with_name(f"{path.stem}_{result.index}{path.suffix}"))


def _input_paths(inputs) -> list[Path]:
    """The structure files among ``inputs`` (a Path, or Paths in a list/tuple; nothing consumed)."""
    if isinstance(inputs, Path):
        return [inputs]
    if isinstance(inputs, (list, tuple)):
        return [item for item in inputs if isinstance(item, Path)]
    return []


def _records(inputs) -> Iterator[StructureRecord]:
    """Normalise the accepted input forms to a stream of :class:`StructureRecord`."""
    if isinstance(inputs, (str, Chem.Mol)):
        yield StructureRecord(name=None, item=inputs)
        return
    if isinstance(inputs, Path):
        yield from read_structures(inputs)
        return
    if not isinstance(inputs, Iterable):
        raise TypeError(f"inputs must be a SMILES, a Mol, a Path or an iterable of them, "
                        f"not {type(inputs).__name__}")
    for item in inputs:
        if isinstance(item, Path):
            yield from read_structures(item)
        elif isinstance(item, StructureRecord):
            yield item
        else:
            yield StructureRecord(name=None, item=item)


def _solvent_stream(solvent) -> Iterator[str | None]:
    """One solvent name per molecule. A single name is checked at once (ValueError if unknown)."""
    if solvent is None or isinstance(solvent, str):
        solvent_index(solvent)
        while True:
            yield solvent
    yield from solvent
    raise ValueError("the solvent list is shorter than the inputs")


def _prepare_record(index: int, record: StructureRecord, solvent: str | None) -> _Prepared | MoleculeResult:
    """Parse, check and featurise one record; a failure becomes a result with its reason."""
    smiles = record.item if isinstance(record.item, str) else None
    try:
        if record.error:
            raise MoleculeError(record.error)
        solvent_id = solvent_index(solvent)
        prepared = prepare(to_mol(record.item), copy=smiles is None)  # a Mol parsed here is ours
    except (MoleculeError, ValueError) as exc:
        return MoleculeResult(index=index, name=record.name, smiles=smiles, ok=False, error=str(exc))
    if smiles is None:
        smiles = Chem.MolToSmiles(Chem.RemoveHs(prepared.mol, sanitize=False))
    return _Prepared(index=index, name=record.name, smiles=smiles, prepared=prepared, solvent=solvent_id)


def _prepare_chunk(records: list[StructureRecord], solvents: list, start: int) -> list:
    """Parse and featurise a chunk: a :class:`_Prepared` or a failed result per record."""
    return [_prepare_record(start + k, r, s) for k, (r, s) in enumerate(zip(records, solvents))]


def _group_mean(values: np.ndarray, groups: np.ndarray) -> np.ndarray:
    """Replace each value by the mean over its group (equal ``groups`` values)."""
    _, inverse = np.unique(groups, return_inverse=True)
    return (np.bincount(inverse, weights=values) / np.bincount(inverse))[inverse]


def _build_results(batch: list[_Prepared], graph: GraphBatch, mean: dict[str, np.ndarray],
                   var: dict[str, np.ndarray], nuclei: tuple[str, ...]) -> list[MoleculeResult]:
    """Per-atom tables of a whole batch at once, symmetry-averaged, split into one result each.

    ``mean``/``var``: per nucleus, one value per node of the collated batch, shape ``(N,)``.
    Atom indices are made batch-global by per-molecule offsets, so symmetry classes, H parents
    and nodes of all molecules are handled by single numpy operations.
    """
    cat = np.concatenate
    preps = [p.prepared for p in batch]
    n_atoms = np.array([p.atomic_num.size for p in preps])
    n_nodes = np.array([p.heavy_index.size for p in preps])
    n_h = np.array([p.h_index.size for p in preps])
    offset = cat([[0], np.cumsum(n_atoms)]).astype(np.int64)       # first global atom id per molecule
    heavy = cat([p.heavy_index for p in preps]) + np.repeat(offset[:-1], n_nodes)  # node -> global atom
    classes = cat([p.symmetry_class for p in preps]) + np.repeat(offset[:-1], n_atoms)
    blocks = []  # (molecule, atom, parent, nucleus code, mean, var, exchangeable), global atom ids
    if "13C" in nuclei:
        nodes = np.flatnonzero(graph.x[:, 0].numpy() == CARBON_CODE)
        atoms = heavy[nodes]
        blocks.append((np.repeat(np.arange(len(preps)), n_nodes)[nodes], atoms, atoms, 0,
                       mean["13C"][nodes], var["13C"][nodes], np.zeros(nodes.size, dtype=bool)))
    if "1H" in nuclei:
        h_atoms = cat([p.h_index for p in preps]) + np.repeat(offset[:-1], n_h)
        parents = cat([p.h_parent for p in preps]) + np.repeat(offset[:-1], n_h)
        nodes = np.searchsorted(heavy, parents)
        parent_z = cat([p.atomic_num for p in preps])[parents]
        blocks.append((np.repeat(np.arange(len(preps)), n_h), h_atoms, parents, 1, mean["1H"][nodes],
                       var["1H"][nodes], np.isin(parent_z, _EXCHANGEABLE_PARENTS)))
    molecule = cat([b[0] for b in blocks])
    code = cat([np.full(b[1].size, b[3]) for b in blocks])
    order = np.argsort(molecule * 2 + code, kind="stable")  # per molecule: 13C rows, then 1H rows
    molecule, code = molecule[order], code[order]
    atoms, parents = cat([b[1] for b in blocks])[order], cat([b[2] for b in blocks])[order]
    groups = classes[atoms] * 2 + code
    offsets = offset[molecule]
    columns = {
        "atom_index": atoms - offsets, "parent_index": parents - offsets,
        "element": np.array(["C", "H"], dtype=object)[code], "nucleus": np.array(["13C", "1H"], dtype=object)[code],
        "shift_ppm": _group_mean(cat([b[4] for b in blocks])[order].astype(np.float64), groups),
        "sigma_ppm": np.sqrt(_group_mean(cat([b[5] for b in blocks])[order].astype(np.float64), groups)),
        "exchangeable": cat([b[6] for b in blocks])[order],
    }
    bounds = np.searchsorted(molecule, np.arange(len(batch) + 1))
    table = BatchTable(columns)
    return [MoleculeResult(index=p.index, name=p.name, smiles=p.smiles, ok=True, solvent=MODEL_SOLVENTS[p.solvent],
                           set_aside=p.prepared.set_aside_text(), mol=p.prepared.mol, columns={c: v[lo:hi] for c, v in columns.items()},
                           _batch=(table, slice(lo, hi)))
            for p, lo, hi in zip(batch, bounds[:-1], bounds[1:])]


class _ProgressBar:
    """tqdm on stderr that appears only once more than a few hundred molecules were done."""

    SHOW_AFTER = 300

    def __init__(self, enabled: bool) -> None:
        self.enabled, self.done, self.bar = enabled, 0, None

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self.bar is None and self.done > self.SHOW_AFTER:
            from tqdm import tqdm
            self.bar = tqdm(unit="mol", file=sys.stderr, initial=self.done)
        elif self.bar is not None:
            self.bar.update(n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


@functools.lru_cache(maxsize=4)
def default_predictor(device: str = "auto", accurate: bool = False) -> ShiftPredictor:
    """The shipped model(s), loaded once per process, device and choice of ensemble."""
    return ShiftPredictor(device=device, accurate=accurate)


def predict(inputs, nuclei: Sequence[str] = NUCLEI, solvent=None, progress: bool = False,
            device: str = "auto", accurate: bool = False) -> list[MoleculeResult]:
    """Predict 13C / 1H shifts with the shipped models; one result per input molecule.

    Parameters
    ----------
    inputs : a SMILES ``str``, an RDKit ``Mol``, a ``pathlib.Path`` to a structure file
        (.smi, .csv/.tsv, .sdf, .mol, .parquet), or a sequence of these.
    nuclei : "13C", "1H" or both.
    solvent : None ("unknown"), a solvent name (CDCl3, DMSO-d6, CD3OD, D2O, C6D6, acetone-d6,
        CD3CN, ...), or one name per input molecule.
    progress : show a progress bar on stderr for long inputs.
    device : "auto" (CUDA when present), "cpu" or "cuda".
    accurate : use the accurate two-network ensemble instead of the fast default network
        (test split 13C 1.169 / 1H 0.190 ppm against 1.235 / 0.194; about 20 % slower).
    """
    return default_predictor(device, accurate).predict(inputs, nuclei=nuclei, solvent=solvent, progress=progress)


def predict_iter(inputs, nuclei: Sequence[str] = NUCLEI, solvent=None, progress: bool = False,
                 device: str = "auto", accurate: bool = False) -> Iterator[MoleculeResult]:
    """Streaming form of :func:`predict`: yields results in input order, chunk by chunk."""
    return default_predictor(device, accurate).predict_iter(inputs, nuclei=nuclei, solvent=solvent,
                                                            progress=progress)
