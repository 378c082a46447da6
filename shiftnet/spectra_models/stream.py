"""A seeded stream of simulated, labelled 1D spectra for training the spectra models.

Item ``i`` of a dataset with seed ``s`` depends only on ``(s, i)``: its acquisition parameters,
noise and molecule come from ``numpy.random.default_rng([s, i, stream])``. Molecules (SMILES
from NMRShiftDB2's dev set or a user list) get their shifts from ``shiftnet.predict`` in batches,
cached per molecule; a ``random_fraction`` of the items are random-peak spectra that need no model.
"""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

import numpy as np
import pandas as pd
import torch
from torch.utils.data import IterableDataset, get_worker_info

from ..spectra.fourier import spectrum_to_fid
from ..spectra.nus import nus_mask, nus_schedule
from ..spectra.simulate import C_H_RATIO, SimulatedSpectrum, simulate

NUCLEUS_CODE = {"13C": 0, "1H": 1}
#: Spectral window (sw_ppm, carrier_ppm) per nucleus.
WINDOWS = {"13C": (240.0, 110.0), "1H": (16.0, 5.5)}
#: Streams of the per-item generator: acquisition, molecule choice.
_ACQ, _MOL = 0, 1
_MAX_TRIES = 8
Predictor = Callable[[list[str]], list[Any]]


def _default_predictor(smiles: list[str]) -> list[Any]:
    from shiftnet.shifts.predict import predict
    return predict(smiles, nuclei=("13C", "1H"))


def _log_uniform(rng: np.random.Generator, bounds: tuple[float, float]) -> float:
    return float(np.exp(rng.uniform(np.log(bounds[0]), np.log(bounds[1]))))


class SimulatedSpectraDataset(IterableDataset):
    """Simulated 1D 13C / 1H spectra with random acquisition parameters and exact labels.

    Parameters
    ----------
    smiles : molecules to draw from; None reads the ``smiles`` column of ``data_path``
        (only when structure items are needed).
    nuclei : nuclei to draw from, "13C" and/or "1H".
    n_points : complex points of every FID (= real points of every spectrum).
    seed : the dataset seed.
    length : number of items (``len``, and where iteration stops); None streams forever.
    random_fraction : fraction of items made of random peaks instead of a molecule.
    nus_fraction : when given, each item carries a Poisson-gap ``nus_mask`` keeping this fraction.
    linewidth_points : (low, high) Lorentzian FWHM in points, drawn log-uniformly.
    snr : (low, high) signal-to-noise ratio, drawn log-uniformly.
    phase_deg : maximal |zero-order| and |first-order| phase error in degrees (uniform).
    baseline : maximal baseline amplitude relative to the tallest peak (uniform).
    field_mhz : 1H frequencies to draw from (13C uses the matching frequency).
    solvents : solvents to draw from (None = no solvent signals).
    max_peaks : label rows per item; molecules with more lines are skipped.
    max_random_lines : random-peak items have 1 .. this many spins.
    pair_fraction : random-peak items: probability that a spin gets a close partner line (a
        singlet of intensity 0.2-1.5 spin units) at ``pair_separation`` linewidths from it.
    pair_separation : (low, high) distance of a partner in linewidths (FWHM), uniform.
    gaussian_fraction : probability that an item's lines are Voigt (a Gaussian of FWHM
        ``gaussian_ratio`` x the Lorentzian FWHM, log-uniform, convolved with every line, as an
        imperfect shim gives); 0 keeps every line Lorentzian (and the stream as before).
    gaussian_ratio : (low, high) Gaussian / Lorentzian FWHM of Voigt items.
    predict_batch : molecules predicted per call when streaming.
    predictor : ``f(list_of_smiles) -> results`` with ``.ok, .mol, .shifts`` (default
        ``shiftnet.predict`` for 13C and 1H).
    data_path : parquet file with a ``smiles`` column (read when ``smiles`` is None).

    Items
    -----
    A dict of tensors, all scaled so that the clean spectrum's maximum is 1: ``clean (n,)``,
    ``noisy (n,)`` (real spectrum with noise, phase and baseline errors), ``fid (n, 2)`` (noisy
    FID, real/imaginary), ``clean_fid (n, 2)``, ``peak_index, peak_height, peak_width_points``
    (``(max_peaks,)``, padded with 0), ``peak_mask (max_peaks,)`` bool, ``n_peaks``,
    ``nucleus`` (0 = 13C, 1 = 1H), ``random`` (bool), ``index``, ``smiles`` (str, "" for random
    items), and ``nus_mask (n,)`` bool when ``nus_fraction`` is set.
    """

    def __init__(self, smiles: Sequence[str] | None = None, nuclei: Sequence[str] = ("13C", "1H"),
                 n_points: int = 4096, seed: int = 0, length: int | None = None, random_fraction: float = 0.0,
                 nus_fraction: float | None = None, linewidth_points: tuple[float, float] = (1.0, 4.0),
                 snr: tuple[float, float] = (5.0, 500.0), phase_deg: tuple[float, float] = (15.0, 30.0),
                 baseline: float = 0.03, field_mhz: Sequence[float] = (400.0, 500.0, 600.0),
                 solvents: Sequence[str | None] = (None, "CDCl3", "DMSO-d6"), max_peaks: int = 512,
                 max_random_lines: int = 30, pair_fraction: float = 0.0,
                 pair_separation: tuple[float, float] = (0.5, 3.0), gaussian_fraction: float = 0.0,
                 gaussian_ratio: tuple[float, float] = (0.3, 3.0), predict_batch: int = 64, predictor: Predictor | None = None,
                 data_path: str | Path | None = None) -> None:
        if not set(nuclei) <= set(NUCLEUS_CODE) or not nuclei:
            raise ValueError(f"nuclei must be drawn from {tuple(NUCLEUS_CODE)}, got {nuclei!r}")
        if not 0.0 <= random_fraction <= 1.0:
            raise ValueError(f"random_fraction must be in [0, 1], got {random_fraction}")
        self.smiles = None if smiles is None else list(smiles)
        self.nuclei, self.n_points, self.seed, self.length = tuple(nuclei), int(n_points), int(seed), length
        self.random_fraction, self.nus_fraction = random_fraction, nus_fraction
        self.linewidth_points, self.snr, self.phase_deg, self.baseline = linewidth_points, snr, phase_deg, baseline
        self.field_mhz, self.solvents, self.max_peaks = tuple(field_mhz), tuple(solvents), max_peaks
        self.max_random_lines, self.predict_batch = max_random_lines, predict_batch
        self.pair_fraction, self.pair_separation = pair_fraction, pair_separation
        self.gaussian_fraction, self.gaussian_ratio = gaussian_fraction, gaussian_ratio
        self.predictor = predictor or _default_predictor
        self.data_path = None if data_path is None else Path(data_path)
        self._cache: dict[int, Any] = {}

    # ------------------------------------------------------------------ molecules
    def _molecules(self) -> list[str]:
        if self.smiles is None:
            if self.data_path is None:
                raise ValueError("structure items need molecules: pass smiles= or data_path= "
                                 "(a parquet file with a smiles column, e.g. NMRShiftDB2's dev.parquet)")
            if not self.data_path.exists():
                raise FileNotFoundError(f"no SMILES given and {self.data_path} does not exist")
            self.smiles = pd.read_parquet(self.data_path, columns=["smiles"])["smiles"].tolist()
        if not self.smiles:
            raise ValueError("the SMILES list is empty; pass molecules or use random_fraction=1")
        return self.smiles

    def _candidates(self, index: int) -> np.ndarray:
        """Molecule indices item ``index`` tries, in order."""
        rng = np.random.default_rng([self.seed, index, _MOL])
        return rng.integers(len(self._molecules()), size=_MAX_TRIES)

    def _predict(self, mol_indices: Sequence[int]) -> None:
        todo = sorted({int(m) for m in mol_indices} - self._cache.keys())
        if todo:
            results = self.predictor([self._molecules()[m] for m in todo])
            self._cache.update(zip(todo, results))

    def _is_structure_item(self, index: int) -> bool:
        return bool(np.random.default_rng([self.seed, index, _ACQ]).random() >= self.random_fraction)

    # ------------------------------------------------------------------ simulation
    def _acquisition(self, rng: np.random.Generator) -> dict:
        nucleus = str(rng.choice(self.nuclei))
        field = float(rng.choice(self.field_mhz))
        obs = field * C_H_RATIO if nucleus == "13C" else field
        sw_ppm, carrier = WINDOWS[nucleus]
        hz_per_point = sw_ppm * obs / self.n_points
        acq = dict(nucleus=nucleus, obs_mhz=obs, n_points=self.n_points, sw_ppm=sw_ppm, carrier_ppm=carrier,
                   linewidth_hz=_log_uniform(rng, self.linewidth_points) * hz_per_point,
                   snr=_log_uniform(rng, self.snr),
                   phase_deg=tuple(float(rng.uniform(-m, m)) for m in self.phase_deg),
                   baseline=float(rng.uniform(0.0, self.baseline)),
                   solvent=self.solvents[int(rng.integers(len(self.solvents)))],
                   seed=int(rng.integers(2**32)))
        if self.gaussian_fraction > 0 and rng.random() < self.gaussian_fraction:   # no draw at 0: same stream
            acq["gaussian_hz"] = _log_uniform(rng, self.gaussian_ratio) * acq["linewidth_hz"]
        return acq

    def _random_source(self, rng: np.random.Generator, acq: dict) -> dict:
        """Random spins inside the window (5 % margins); 1H gets random couplings."""
        sw, carrier = acq["sw_ppm"], acq["carrier_ppm"]
        n = int(rng.integers(1, self.max_random_lines + 1))
        shifts = rng.uniform(carrier - 0.45 * sw, carrier + 0.45 * sw, size=n)
        spins = np.repeat(shifts, rng.integers(1, 4, size=n))
        source = dict(source=spins.tolist())
        if acq["nucleus"] == "1H" and spins.size > 1:
            pairs = rng.integers(spins.size, size=(int(rng.integers(0, spins.size)), 2))
            source["couplings"] = [(int(i), int(j), float(rng.uniform(1.0, 17.0))) for i, j in pairs if i != j]
        if self.pair_fraction > 0:
            source["impurities"] = self._partners(rng, shifts, acq)
        return source

    def _partners(self, rng: np.random.Generator, shifts: np.ndarray, acq: dict) -> list[tuple[float, float]]:
        """Close partner singlets ``(ppm, intensity)`` of some of the random ``shifts``."""
        chosen = shifts[rng.random(shifts.size) < self.pair_fraction]
        gap_ppm = rng.uniform(*self.pair_separation, size=chosen.size) * acq["linewidth_hz"] / acq["obs_mhz"]
        side = rng.choice([-1.0, 1.0], size=chosen.size)
        return [(float(s), float(a)) for s, a in zip(chosen + side * gap_ppm, rng.uniform(0.2, 1.5, chosen.size))]

    def simulation(self, index: int) -> tuple[SimulatedSpectrum, str, bool]:
        """The full simulation of item ``index``: ``(SimulatedSpectrum, smiles, is_random)``.

        Use it to get the labels' ``atom_indices`` and signal tables behind an item.
        """
        rng = np.random.default_rng([self.seed, index, _ACQ])
        structure = rng.random() >= self.random_fraction
        acq = self._acquisition(rng)
        if structure:
            for mol_index in self._candidates(index):
                self._predict([mol_index])
                result = self._cache[int(mol_index)]
                if not result.ok:
                    continue
                try:
                    sim = simulate(result, **acq, j_rng=rng)
                except ValueError:
                    continue
                if len(sim.peaks) <= self.max_peaks:
                    return sim, self._molecules()[int(mol_index)], False
        return simulate(**self._random_source(rng, acq), **acq), "", True

    def _item(self, index: int) -> dict[str, Any]:
        sim, smiles, is_random = self.simulation(index)
        factor = 1.0 / np.abs(sim.clean.data).max()
        peaks = sim.peaks.iloc[: self.max_peaks]
        pad = lambda values: np.pad(np.asarray(values, dtype=np.float32), (0, self.max_peaks - len(peaks)))  # noqa: E731
        scale = sim.clean.scale()
        item = {
            "clean": torch.from_numpy((sim.clean.data * factor).astype(np.float32)),
            "noisy": torch.from_numpy((sim.spectrum.data * factor).astype(np.float32)),
            "fid": torch.view_as_real(torch.from_numpy((sim.fid.data * factor).astype(np.complex64))),
            "clean_fid": torch.view_as_real(torch.from_numpy(self._clean_fid(sim) * factor)),
            "peak_index": torch.from_numpy(pad(peaks["index"])),
            "peak_height": torch.from_numpy(pad(peaks["height"] * factor)),
            "peak_width_points": torch.from_numpy(pad(scale.hz_to_points(peaks["width_hz"].to_numpy()))),
            "peak_mask": torch.arange(self.max_peaks) < len(peaks),
            "n_peaks": len(peaks),
            "nucleus": NUCLEUS_CODE[sim.params["nucleus"]],
            "random": is_random,
            "index": index,
            "smiles": smiles,
        }
        if self.nus_fraction is not None:
            schedule = nus_schedule(self.n_points, self.nus_fraction, seed=[self.seed, index])
            item["nus_mask"] = torch.from_numpy(nus_mask(schedule, self.n_points))
        return item

    @staticmethod
    def _clean_fid(sim: SimulatedSpectrum) -> np.ndarray:
        """The noise-free, phased FID behind ``sim.clean``, complex64 ``(n,)``."""
        return spectrum_to_fid(sim.clean.data + 1j * sim.clean.imag).astype(np.complex64)

    # ------------------------------------------------------------------ torch protocol
    def __getitem__(self, index: int) -> dict[str, Any]:
        if index < 0 or (self.length is not None and index >= self.length):
            raise IndexError(f"item {index} outside 0..{self.length}")
        return self._item(index)

    def __len__(self) -> int:
        if self.length is None:
            raise TypeError("an endless SimulatedSpectraDataset has no length; pass length=")
        return self.length

    def __iter__(self) -> Iterator[dict[str, Any]]:
        """Items ``worker_id, worker_id + num_workers, ...`` of this DataLoader worker, predicting
        the molecules of ``predict_batch`` items at a time."""
        info = get_worker_info()
        worker, workers = (0, 1) if info is None else (info.id, info.num_workers)
        stop = self.length if self.length is not None else None
        indices = itertools.islice(itertools.count(worker, workers), None if stop is None else
                                   max(0, -(-(stop - worker) // workers)))
        while chunk := list(itertools.islice(indices, self.predict_batch)):
            if self.random_fraction < 1.0:
                self._predict([self._candidates(i)[0] for i in chunk if self._is_structure_item(i)])
            yield from (self._item(i) for i in chunk)
