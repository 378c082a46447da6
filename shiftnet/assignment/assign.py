"""Assignment of observed peak lists to the atoms of one structure."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd
from rdkit import Chem
from scipy.special import logsumexp

from ..molecules import MoleculeError
from ..results import MoleculeResult
from .fit import NUCLEI, MoleculeFit, Observed, fit_molecule
from .likelihood import NucleusFit

#: Columns of :attr:`Assignment.frame`, in order.
FRAME_COLUMNS = ["atom_index", "nucleus", "predicted_ppm", "sigma_ppm", "observed_ppm",
                 "peak_index", "z_score", "confidence"]
#: Columns of :attr:`Assignment.alternatives`, in order.
ALTERNATIVE_COLUMNS = ["rank", "log_likelihood", "probability", "atom_index", "nucleus",
                       "peak_index", "observed_ppm"]


@dataclass
class Assignment:
    """Observed peaks assigned to the atoms of one structure.

    Attributes
    ----------
    frame : one row per atom (13C: per carbon; 1H: per heavy atom carrying H, NMRShiftDB2
        convention): ``atom_index`` (input order), ``nucleus``, ``predicted_ppm``, ``sigma_ppm``,
        ``observed_ppm`` (the assigned peak as given, NaN when missing), ``peak_index`` (into the
        given list, -1 when missing), ``z_score`` ((observed - offset - predicted) / sigma) and
        ``confidence`` (posterior weight of the k best assignments that agree on this peak).
        Rows of one nucleus follow the fitted nuclei's order, atoms in input order.
    alternatives : the k best complete assignments, long format: ``rank`` (0 = best),
        ``log_likelihood``, ``probability`` (normalised over the k), then one row per frame row
        with its ``peak_index`` and ``observed_ppm`` in that alternative.
    offset_ppm : referencing offset per observed nucleus (observed = predicted + offset).
    log_likelihood : best-assignment log-likelihood of all observed data (natural log).
    log_marginal : approximate log marginal likelihood (natural log), see :mod:`.likelihood`.
    mol : the structure with explicit H (atom indices of ``frame``).
    smiles : the input SMILES (or RDKit's), solvent : solvent of the prediction.
    observed : the observed data as used.
    """

    frame: pd.DataFrame
    alternatives: pd.DataFrame
    offset_ppm: dict[str, float]
    log_likelihood: float
    log_marginal: float
    mol: Chem.Mol
    smiles: str | None
    solvent: str
    observed: Observed


def _observed_ppm(ppm: np.ndarray, peak: np.ndarray) -> np.ndarray:
    """The ppm of each peak index, NaN for -1 (missing)."""
    return np.append(ppm, np.nan)[peak]


def _rows(fit: NucleusFit, peak_of_site: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per atom row of a nucleus: (site index, peak index) for one solution."""
    site = np.concatenate([np.full(len(a), i) for i, a in enumerate(fit.sites.atoms)]).astype(np.int64)
    return site, peak_of_site[site]


def nucleus_frame(fit: MoleculeFit, nucleus: str) -> pd.DataFrame:
    """The :attr:`Assignment.frame` rows of one nucleus."""
    predicted, nfit = fit.sites[nucleus], fit.fits[nucleus]
    site, peak = _rows(nfit, nfit.peak_of_site)
    atoms = np.concatenate(predicted.atoms) if len(predicted) else np.zeros(0, dtype=np.int64)
    observed = _observed_ppm(nfit.peaks.ppm, peak)
    frame = pd.DataFrame({
        "atom_index": atoms, "nucleus": nucleus, "predicted_ppm": predicted.mean_ppm[site],
        "sigma_ppm": predicted.sigma_ppm[site], "observed_ppm": observed, "peak_index": peak,
        "z_score": (observed - fit.offset_ppm(nucleus) - predicted.mean_ppm[site]) / predicted.sigma_ppm[site],
        "confidence": nfit.confidence()[site],
    })
    return frame.sort_values("atom_index", kind="stable", ignore_index=True)


def _alternatives(fit: MoleculeFit, k: int) -> pd.DataFrame:
    """The k best combinations of the per-nucleus k-best solutions, long format."""
    nuclei = [n for n in NUCLEI if n in fit.fits]
    combos = sorted(itertools.product(*(range(len(fit.fits[n].solutions)) for n in nuclei)),
                    key=lambda c: -sum(fit.fits[n].solutions[i][0] for n, i in zip(nuclei, c)))[:k]
    ll = np.array([sum(fit.fits[n].solutions[i][0] for n, i in zip(nuclei, c)) for c in combos])
    probability = np.exp(ll - logsumexp(ll))
    parts = []
    for rank, combo in enumerate(combos):
        for nucleus, i in zip(nuclei, combo):
            nfit = fit.fits[nucleus]
            site, peak = _rows(nfit, nfit.solutions[i][1])
            order = np.argsort(np.concatenate(nfit.sites.atoms), kind="stable")
            parts.append(pd.DataFrame({
                "rank": rank, "log_likelihood": ll[rank], "probability": probability[rank],
                "atom_index": np.concatenate(nfit.sites.atoms)[order], "nucleus": nucleus,
                "peak_index": peak[order],
                "observed_ppm": _observed_ppm(nfit.peaks.ppm, peak)[order],
            }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=ALTERNATIVE_COLUMNS)


def assignment_from_fit(fit: MoleculeFit, observed: Observed, k: int) -> Assignment:
    """Package a :class:`MoleculeFit` as an :class:`Assignment`."""
    nuclei = [n for n in NUCLEI if n in fit.fits]
    frames = [nucleus_frame(fit, n) for n in nuclei]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=FRAME_COLUMNS)
    return Assignment(frame=frame, alternatives=_alternatives(fit, k),
                      offset_ppm={n: float(fit.offset_ppm(n)) for n in nuclei},
                      log_likelihood=fit.log_likelihood, log_marginal=fit.log_marginal,
                      mol=fit.result.mol, smiles=fit.result.smiles, solvent=fit.result.solvent,
                      observed=observed)


def predict_for(structures: list, solvent=None) -> list[MoleculeResult]:
    """One prediction per structure (one batch); given :class:`MoleculeResult` pass through."""
    from ..shifts.predict import predict

    todo = [s for s in structures if not isinstance(s, MoleculeResult)]
    predicted = iter(predict(todo, nuclei=NUCLEI, solvent=solvent) if todo else [])
    return [s if isinstance(s, MoleculeResult) else next(predicted) for s in structures]


def carbon_protons(result: MoleculeResult) -> int:
    """Number of H atoms on carbon in a predicted structure (what a 1H spectrum integrates)."""
    return sum(atom.GetTotalNumHs(includeNeighbors=True) for atom in result.mol.GetAtoms() if atom.GetAtomicNum() == 6)


def lists_from_data(data: dict | None, lists: dict, solvent: str | None,
                    result: MoleculeResult | None) -> dict:
    """The given peak lists, completed from raw ``data`` (see :mod:`.from_spectra`) where a
    list was not given; 1H integrals in protons of ``result``'s structure when it is given."""
    if not data:
        return lists
    from .from_spectra import observed_from_spectra

    found = observed_from_spectra(data, solvent, carbon_protons(result) if result is not None and result.ok else None)
    return {name: lists[name] if lists[name] is not None else found[name] for name in lists}


def assign(structure, peaks_13c=None, peaks_1h=None, hsqc=None, solvent=None, k: int = 5,
           data: dict | None = None, hmbc=None) -> Assignment:
    """Assign unassigned peak lists to the atoms of ``structure``.

    Parameters
    ----------
    structure : SMILES, RDKit Mol, or a successful :class:`~shiftnet.results.MoleculeResult`.
    peaks_13c : 13C peaks in ppm: floats or ``(ppm, multiplicity)`` with DEPT letters s/d/t/q.
    peaks_1h : 1H multiplet centres in ppm: floats or ``(ppm, integral)``.
    hsqc : HSQC cross peaks as ``(1H ppm, 13C ppm)`` pairs.
    hmbc : HMBC cross peaks as ``(1H ppm, 13C ppm)`` pairs (with both 1D lists): assignments
        whose atoms are 2-3 bonds apart where the cross peaks are win (:mod:`.hmbc`).
    solvent : solvent name for the prediction (None: unknown; with ``data``, the data's).
    k : number of complete assignments kept (alternatives, per-atom confidence).
    data : raw spectra instead of (or besides) lists: ``{"13C": dir, "1H": dir, "HSQC": dir,
        "DEPT135": dir, "DEPT90": dir, "HMBC": dir}`` (paths or processed Spectra); each is processed and
        peak-picked (:func:`shiftnet.assignment.from_spectra.observed_from_spectra`).

    Raises :class:`~shiftnet.molecules.MoleculeError` when the structure cannot be predicted and
    ``ValueError`` when no observed data are given.
    """
    if data and solvent is None:  # the prediction wants the solvent the data were measured in
        from .from_spectra import data_solvent
        solvent = data_solvent(data)
    result = predict_for([structure], solvent)[0]
    if not result.ok:
        raise MoleculeError(result.error)
    lists = lists_from_data(data, {"peaks_13c": peaks_13c, "peaks_1h": peaks_1h, "hsqc": hsqc, "hmbc": hmbc},
                            solvent, result)
    observed = Observed.from_lists(**lists)
    return assignment_from_fit(fit_molecule(result, observed, k), observed, k)
