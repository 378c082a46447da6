"""HMBC: long-range (2-3 bond) H-C correlations re-rank the k best 13C assignments.

A cross peak ``(h, c)`` is *explained* by an assignment when a heavy atom whose H are assigned
near ``h`` and a carbon assigned near ``c`` are one or two bonds apart (H-X-C, H-X-Y-C); the
one-bond partner does not count (HMBC suppresses it). Each explained cross peak adds
:data:`LOG_BONUS` to a 13C solution's log-likelihood, so among assignments that fit the shifts
equally (quaternary carbons, whose HSQC is silent) the one that the long-range couplings
support wins. The HMBC axes are aligned to the 1D lists by their median nearest-peak offsets.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

import numpy as np
from rdkit import Chem
from scipy.special import logsumexp

from .likelihood import NucleusFit
from .observed import aligned

if TYPE_CHECKING:
    from .fit import MoleculeFit

#: log-likelihood gained per explained cross peak.
LOG_BONUS = 2.0
#: Matching tolerances (ppm) of a cross peak to an assigned 1H / 13C peak.
TOLERANCE_1H, TOLERANCE_13C = 0.04, 0.3


def _assigned_ppm(nfit: NucleusFit, peak_of_site: np.ndarray) -> dict[int, float]:
    """Atom index -> observed ppm of its assigned peak (atoms of missing sites left out)."""
    out = {}
    for atoms, peak in zip(nfit.sites.atoms, peak_of_site):
        if peak >= 0:
            out.update({int(a): float(nfit.peaks.ppm[peak]) for a in atoms})
    return out


def explained(distance: np.ndarray, protons: dict[int, float], carbons: dict[int, float],
              cross: np.ndarray) -> int:
    """How many cross peaks ``(h, c)`` have an H-bearing atom near ``h`` and a carbon near ``c``
    one or two bonds apart (``distance``: topological distance matrix of the molecule)."""
    if not protons or not carbons:
        return 0
    h_atoms, h_ppm = np.array(list(protons)), np.array(list(protons.values()))
    c_atoms, c_ppm = np.array(list(carbons)), np.array(list(carbons.values()))
    count = 0
    for h, c in cross:
        near_h = h_atoms[np.abs(h_ppm - h) <= TOLERANCE_1H]
        near_c = c_atoms[np.abs(c_ppm - c) <= TOLERANCE_13C]
        if near_h.size and near_c.size:
            d = distance[np.ix_(near_h, near_c)]
            count += bool(((d == 1) | (d == 2)).any())
    return count


def rescore_with_hmbc(fit: "MoleculeFit", hmbc: np.ndarray) -> NucleusFit:
    """The 13C fit with its k best solutions re-ranked by the HMBC cross peaks they explain
    (log-likelihoods and the marginal include the bonus)."""
    carbon_fit, proton_fit = fit.fits["13C"], fit.fits["1H"]
    distance = Chem.GetDistanceMatrix(fit.result.mol)
    protons = _assigned_ppm(proton_fit, proton_fit.peak_of_site)
    cross = np.column_stack([aligned(hmbc[:, 0], proton_fit.peaks.ppm), aligned(hmbc[:, 1], carbon_fit.peaks.ppm)])
    bonus = np.array([LOG_BONUS * explained(distance, protons, _assigned_ppm(carbon_fit, peaks), cross)
                      for _, peaks in carbon_fit.solutions])
    old = np.array([ll for ll, _ in carbon_fit.solutions])
    new = old + bonus
    order = np.argsort(-new, kind="stable")
    solutions = [(float(new[i]), carbon_fit.solutions[i][1]) for i in order]
    return replace(carbon_fit, solutions=solutions, log_likelihood=float(new[order[0]]),
                   log_marginal=carbon_fit.log_marginal + float(logsumexp(new) - logsumexp(old)))
