"""The likelihood of an observed peak list given predicted shifts, and its optimal assignments.

Generative model, per nucleus: every symmetry class of atoms (a *site*) gives one peak at its
predicted shift plus a global referencing offset, with a Student-t error of scale
``sigma_ppm`` (heavy tails survive a wrong prediction); a site can be missing (probability
``p_missing``, higher for quaternary carbons and exchangeable protons) or hidden under another
site's peak (overlap: probability density times ``overlap_width_ppm``); peaks that no site
explains are extra (solvent, impurity) with a flat density over ``background_width_ppm``.
DEPT multiplicities, when given, must agree with the site's H count, and 1H integrals, when
given, must hold the site's protons (else penalties).

The best assignment at each offset of a grid is exact (linear sum assignment); the k best at
the best offset come from Murty's algorithm; the offset is marginalised on the grid.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from rdkit import Chem
from scipy.special import gammaln, logsumexp

from ..results import MoleculeResult
from .matching import best_assignment, k_best_assignments
from .observed import PeakList


@dataclass(frozen=True)
class NucleusModel:
    """Parameters of the peak-list likelihood of one nucleus (ppm where dimensioned)."""

    nucleus: str
    background_width_ppm: float
    overlap_width_ppm: float
    offset_max_ppm: float
    offset_step_ppm: float
    p_missing: float = 0.03
    p_missing_weak: float = 0.15
    dof: float = 4.0
    log_multiplicity_mismatch: float = float(np.log(0.01))
    capacity: int = 3


MODELS = {
    "13C": NucleusModel("13C", background_width_ppm=240.0, overlap_width_ppm=1.0,
                        offset_max_ppm=1.0, offset_step_ppm=0.1),
    "1H": NucleusModel("1H", background_width_ppm=14.0, overlap_width_ppm=0.1,
                       offset_max_ppm=0.1, offset_step_ppm=0.01, p_missing_weak=0.5),
}


@dataclass
class Sites:
    """Symmetry classes of the atoms that give peaks of one nucleus.

    Attributes
    ----------
    nucleus : "13C" or "1H".
    atoms : per site, the atom indices it covers (carbons for 13C; for 1H the heavy atoms
        carrying the protons, NMRShiftDB2 convention).
    mean_ppm, sigma_ppm : predicted shift and its standard deviation per site, shape ``(n_sites,)``.
    n_h : H count per atom of the site, shape ``(n_sites,)``.
    weak : quaternary carbon or exchangeable proton (often missing), shape ``(n_sites,)``.
    """

    nucleus: str
    atoms: list[np.ndarray]
    mean_ppm: np.ndarray
    sigma_ppm: np.ndarray
    n_h: np.ndarray
    weak: np.ndarray

    def __len__(self) -> int:
        return len(self.atoms)


def _classes(atom_index: np.ndarray, rank: np.ndarray) -> list[np.ndarray]:
    """Positions into ``atom_index`` grouped by symmetry rank, in order of first appearance."""
    _, first, inverse = np.unique(rank[atom_index], return_index=True, return_inverse=True)
    order = np.argsort(first)
    return [np.flatnonzero(inverse == c) for c in order]


def molecule_sites(result: MoleculeResult, nucleus: str) -> Sites:
    """The sites of a successful prediction for ``nucleus`` ("13C" or "1H")."""
    mol = result.mol
    rank = np.asarray(Chem.CanonicalRankAtoms(mol, breakTies=False))
    if nucleus == "13C":
        table = result.nucleus("13C")
        atoms = table["atom_index"].to_numpy()
        n_h = np.array([mol.GetAtomWithIdx(int(a)).GetTotalNumHs(includeNeighbors=True) for a in atoms])
        weak = n_h == 0
    else:
        table = result.by_heavy_atom()
        atoms = table["parent_index"].to_numpy()
        n_h = table["n_h"].to_numpy()
        weak = table["exchangeable"].to_numpy(dtype=bool)
    groups = _classes(atoms, rank)
    first = np.array([g[0] for g in groups], dtype=np.int64)
    return Sites(nucleus, [atoms[g] for g in groups],
                 table["shift_ppm"].to_numpy(dtype=float)[first], table["sigma_ppm"].to_numpy(dtype=float)[first],
                 n_h[first].astype(np.int64), weak[first].astype(bool))


def log_student_t(z: np.ndarray, dof: float) -> np.ndarray:
    """Log density of the standard Student-t distribution with ``dof`` degrees of freedom."""
    const = gammaln((dof + 1) / 2) - gammaln(dof / 2) - 0.5 * np.log(dof * np.pi)
    return const - (dof + 1) / 2 * np.log1p(z * z / dof)


def log_density(sites: Sites, ppm: np.ndarray, offset_ppm: np.ndarray, model: NucleusModel) -> np.ndarray:
    """Log density (per ppm, or per ppm^2 for 2D peaks) of each peak under each site, per offset.

    Shapes: ``ppm (n_peaks,)`` or ``(n_peaks, d)``, site means and sigmas alike, ``offset_ppm
    (n_off,)`` or ``(n_off, d)`` -> ``(n_off, n_sites, n_peaks)``; dimensions are independent.
    """
    dims = ppm.shape[1] if ppm.ndim == 2 else 1
    mean = sites.mean_ppm.reshape(len(sites), dims)[None, :, None, :]
    sigma = sites.sigma_ppm.reshape(len(sites), dims)[None, :, None, :]
    resid = ppm.reshape(-1, dims)[None, None] - offset_ppm.reshape(-1, dims)[:, None, None] - mean
    return (log_student_t(resid / sigma, model.dof) - np.log(sigma)).sum(axis=3)


def integral_penalty(sites: Sites, peaks: PeakList) -> np.ndarray:
    """Log penalty, per (site, peak), for a peak whose integral is too small for the site's protons.

    Integrals are scaled to the sites' total proton count when every peak has one (else read as
    proton counts); a shortfall ``s`` costs ``0.5 * (s / (0.25 * n_protons))**2``. Shape
    ``(n_sites, n_peaks)``; zero where no integral is given.
    """
    given = np.isfinite(peaks.integral)
    protons = (sites.n_h * np.array([len(a) for a in sites.atoms])).astype(float)
    if not given.any() or not protons.size:
        return np.zeros((len(sites), len(peaks)))
    scale = protons.sum() / peaks.integral.sum() if given.all() and peaks.integral.sum() > 0 else 1.0
    shortfall = np.maximum(protons[:, None] - np.where(given, peaks.integral * scale, np.inf)[None, :], 0.0)
    return -0.5 * (shortfall / (0.25 * np.maximum(protons, 1.0))[:, None]) ** 2


def _site_logs(sites: Sites, peaks: PeakList, model: NucleusModel) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per site log P(present), log P(missing); per (site, peak) multiplicity and integral log
    penalties."""
    p_miss = np.where(sites.weak, model.p_missing_weak, model.p_missing)
    mismatch = (peaks.n_h[None, :] >= 0) & (peaks.n_h[None, :] != sites.n_h[:, None])
    penalty = np.where(mismatch, model.log_multiplicity_mismatch, 0.0) + integral_penalty(sites, peaks)
    return np.log1p(-p_miss), np.log(p_miss), penalty


def cost_matrices(sites: Sites, peaks: PeakList, offset_ppm: np.ndarray,
                  model: NucleusModel) -> tuple[np.ndarray, np.ndarray]:
    """Assignment costs (negative log-likelihoods) for each offset, and the column groups.

    Columns: each peak (first site on it), ``capacity - 1`` overlap copies of each peak, then one
    "missing" slot per site. A solution's log-likelihood is ``-cost + n_peaks * log(1 / width)``.

    Returns ``cost`` of shape ``(n_off, n_sites, capacity * n_peaks + n_sites)`` and the group of
    every column (the peak index, or ``n_peaks + site`` for a missing slot).
    """
    n_s, n_p = len(sites), len(peaks)
    log_present, log_missing, penalty = _site_logs(sites, peaks, model)
    matched = log_density(sites, peaks.ppm, offset_ppm, model) + penalty + log_present[:, None]
    log_background = -np.log(model.background_width_ppm)
    primary = -(matched - log_background)
    overlap = -(matched + np.log(model.overlap_width_ppm))
    missing = np.full((n_s, n_s), np.inf)
    np.fill_diagonal(missing, -log_missing)
    missing = np.broadcast_to(missing, (primary.shape[0], n_s, n_s))
    cost = np.concatenate([primary] + [overlap] * (model.capacity - 1) + [missing], axis=2)
    group = np.concatenate([np.tile(np.arange(n_p), model.capacity), n_p + np.arange(n_s)])
    return cost, group


@dataclass
class NucleusFit:
    """Assignment of one nucleus's peak list to the sites of one molecule.

    Attributes
    ----------
    sites, peaks : what was matched.
    offset_ppm : referencing offset (observed = predicted + offset) of the best grid point
        (one value per axis for 2D peaks).
    log_likelihood : of the best assignment at that offset (natural log).
    log_marginal : offset marginalised on the grid (uniform prior) plus the k-best sum over
        assignments at the best offset (natural log).
    solutions : the k best assignments at the best offset: ``(log-likelihood, peak per site)``,
        peak index -1 = missing, best first.
    """

    sites: Sites
    peaks: PeakList
    offset_ppm: float | np.ndarray
    log_likelihood: float
    log_marginal: float
    solutions: list[tuple[float, np.ndarray]]

    @property
    def peak_of_site(self) -> np.ndarray:
        """Peak index of each site in the best assignment (-1 = missing)."""
        return self.solutions[0][1]

    def confidence(self) -> np.ndarray:
        """Per site, the posterior weight of the k best assignments that agree with the best."""
        ll = np.array([s[0] for s in self.solutions])
        weight = np.exp(ll - logsumexp(ll))
        agree = np.array([s[1] == self.peak_of_site for s in self.solutions])
        return weight @ agree if agree.size else np.ones(0)


def offset_grid(model: NucleusModel) -> np.ndarray:
    """Offsets tried (ppm), symmetric around 0."""
    n = int(round(model.offset_max_ppm / model.offset_step_ppm))
    return np.arange(-n, n + 1) * model.offset_step_ppm


def _peaks_of(cols: np.ndarray, group: np.ndarray, n_peaks: int) -> np.ndarray:
    peak = group[cols]
    return np.where(peak < n_peaks, peak, -1)


def fit_nucleus(sites: Sites, peaks: PeakList, k: int = 5, model: NucleusModel | None = None,
                offsets_ppm: np.ndarray | None = None) -> NucleusFit:
    """Best and k-best assignments of ``peaks`` to ``sites`` with the offset scanned.

    Parameters
    ----------
    k : number of assignments kept at the best offset (confidence, marginal).
    model : likelihood parameters (default: :data:`MODELS` for the nucleus).
    offsets_ppm : offsets to scan (default: :func:`offset_grid`).
    """
    model = model or MODELS[sites.nucleus]
    offsets = offset_grid(model) if offsets_ppm is None else np.asarray(offsets_ppm, dtype=float)
    constant = len(peaks) * -np.log(model.background_width_ppm)
    if len(sites) == 0:
        return NucleusFit(sites, peaks, 0.0, constant, constant, [(constant, np.zeros(0, dtype=np.int64))])
    cost, group = cost_matrices(sites, peaks, offsets, model)
    best = [best_assignment(c) for c in cost]
    ll = np.array([constant - b[0] for b in best])
    i = int(np.argmax(ll))
    solutions = [(constant - total, _peaks_of(cols, group, len(peaks)))
                 for total, cols in k_best_assignments(cost[i], k, group)]
    kept = np.array([s[0] for s in solutions])
    log_marginal = logsumexp(ll) - np.log(ll.size) + logsumexp(kept - kept[0])
    offset = offsets[i].item() if offsets.ndim == 1 else offsets[i]
    return NucleusFit(sites, peaks, offset, float(ll[i]), float(log_marginal), solutions)
