"""Verification: rank candidate structures by how well their predicted shifts explain the
observed peak lists (DP4-style posterior with equal priors), and say when none fits."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
from scipy import integrate
from scipy.special import logsumexp

from .assign import Assignment, assignment_from_fit, lists_from_data, predict_for
from .fit import MoleculeFit, Observed, fit_molecule
from .likelihood import MODELS, log_student_t

#: Columns of :attr:`Verification.frame`, in order.
VERIFY_COLUMNS = ["candidate", "smiles", "probability", "rank", "mae_13c", "mae_1h", "log_likelihood",
                  "log_marginal", "fit_z", "unexplained_fraction", "fits", "error"]
#: A candidate fits when its matched residuals are not far worse than its sigmas predict
#: (``fit_z`` above this) ...
MIN_FIT_Z = -3.0
#: ... and it leaves at most this fraction of the observed 1D peaks unexplained, plus 2 peaks
#: per 1D list (solvent, impurities).
MAX_UNEXPLAINED = 0.2


@dataclass
class Verification:
    """Candidates ranked against observed data.

    Attributes
    ----------
    frame : one row per candidate in input order: ``candidate`` (input position), ``smiles``,
        ``probability`` (posterior over the successful candidates, equal priors; NaN for a
        failed one), ``rank`` (1 = best; <NA> for failed), ``mae_13c`` / ``mae_1h`` (ppm, mean
        absolute residual of the assigned atoms after the offset), ``log_likelihood`` (best
        assignment), ``log_marginal`` (what ``probability`` uses), ``fit_z`` (standardised
        sum of the matched atoms' log densities: ~0 when residuals are as large as the sigmas
        predict, very negative when far larger), ``unexplained_fraction`` (of the 1D peaks),
        ``fits`` (both within limits, see :data:`MIN_FIT_Z`, :data:`MAX_UNEXPLAINED`) and
        ``error`` (why a candidate failed, else None).
    no_fit : True when no successful candidate fits the data (the best one included): the
        right structure is probably not among the candidates, or the data are wrong.
    assignments : per candidate its :class:`Assignment` (None for a failed candidate).
    """

    frame: pd.DataFrame
    no_fit: bool
    assignments: list[Assignment | None]

    @property
    def best(self) -> Assignment | None:
        """The assignment of the most probable candidate (None when all failed)."""
        ranked = self.frame.dropna(subset=["probability"])
        return None if ranked.empty else self.assignments[int(ranked["probability"].idxmax())]


@functools.lru_cache(maxsize=None)
def _log_t_moments(dof: float) -> tuple[float, float]:
    """Mean and variance of ``log t(z)`` for ``z`` drawn from the same Student-t."""
    def pdf(z: float) -> float:
        return float(np.exp(log_student_t(np.array(z), dof)))

    mean = integrate.quad(lambda z: pdf(z) * float(log_student_t(np.array(z), dof)), -np.inf, np.inf)[0]
    second = integrate.quad(lambda z: pdf(z) * float(log_student_t(np.array(z), dof)) ** 2, -np.inf, np.inf)[0]
    return mean, second - mean ** 2


def fit_quality(fit: MoleculeFit) -> tuple[float, float]:
    """``(fit_z, unexplained_fraction)`` of the 1D fits of a molecule (see :class:`Verification`)."""
    deviation, variance, n_peaks, unexplained = 0.0, 0.0, 0, 0
    for nucleus, sites in fit.sites.items():
        nfit, dof = fit.fits[nucleus], MODELS[nucleus].dof
        peak = nfit.peak_of_site
        z = (nfit.peaks.ppm[peak[peak >= 0]] - nfit.offset_ppm - sites.mean_ppm[peak >= 0]) / sites.sigma_ppm[peak >= 0]
        mean, var = _log_t_moments(dof)
        deviation += float((log_student_t(z, dof) - mean).sum())
        variance += var * z.size
        n_peaks += len(nfit.peaks)
        unexplained += len(nfit.peaks) - np.unique(peak[peak >= 0]).size
    fit_z = deviation / np.sqrt(variance) if variance > 0 else 0.0
    return fit_z, unexplained / n_peaks if n_peaks else 0.0


def _mae(assignment: Assignment, nucleus: str) -> float:
    rows = assignment.frame[(assignment.frame["nucleus"] == nucleus) & (assignment.frame["peak_index"] >= 0)]
    return float((rows["z_score"] * rows["sigma_ppm"]).abs().mean()) if len(rows) else np.nan


def _row(index: int, result, fit: MoleculeFit | None, assignment: Assignment | None) -> dict:
    row = {"candidate": index, "smiles": result.smiles, "error": result.error}
    if assignment is None:
        return row | {"probability": np.nan, "fits": False}
    fit_z, unexplained = fit_quality(fit)
    lists = assignment.observed.peaks.values()
    n_peaks = sum(len(p) for p in lists)
    fits = fit_z > MIN_FIT_Z and unexplained * n_peaks <= MAX_UNEXPLAINED * n_peaks + 2 * len(lists)
    return row | {"mae_13c": _mae(assignment, "13C"), "mae_1h": _mae(assignment, "1H"),
                  "log_likelihood": assignment.log_likelihood, "log_marginal": assignment.log_marginal,
                  "fit_z": fit_z, "unexplained_fraction": unexplained, "fits": bool(fits)}


def _candidate_list(candidates, solvent: str | None) -> list:
    """Candidates as a list; a structure file gives one prediction per record (unreadable
    records as failed results with their reason)."""
    if isinstance(candidates, Path):
        from ..shifts.predict import predict
        return predict(candidates, solvent=solvent)
    return list(candidates)


def verify(candidates, peaks_13c=None, peaks_1h=None, hsqc=None, solvent=None, k: int = 5,
           data: dict | None = None, hmbc=None) -> Verification:
    """Rank candidate structures by the posterior probability of the observed data.

    Parameters
    ----------
    candidates : sequence of SMILES / RDKit Mols / :class:`~shiftnet.results.MoleculeResult`,
        or a structure file (``pathlib.Path``); predicted in one batch. Candidates that cannot
        be predicted keep their reason in ``error`` and are left out of the ranking.
    peaks_13c, peaks_1h, hsqc, solvent, k, data, hmbc : as in :func:`shiftnet.assignment.assign`
        (with ``data``, 1H integrals are counted in protons of the first valid candidate).
    """
    if data and solvent is None:
        from .from_spectra import data_solvent
        solvent = data_solvent(data)
    results = predict_for(_candidate_list(candidates, solvent), solvent)
    first_ok = next((r for r in results if r.ok), None)
    lists = lists_from_data(data, {"peaks_13c": peaks_13c, "peaks_1h": peaks_1h, "hsqc": hsqc, "hmbc": hmbc},
                            solvent, first_ok)
    observed = Observed.from_lists(**lists)
    molecule_fits = [fit_molecule(r, observed, k) if r.ok else None for r in results]
    assignments = [assignment_from_fit(f, observed, k) if f is not None else None for f in molecule_fits]
    frame = pd.DataFrame([_row(i, *parts) for i, parts in enumerate(zip(results, molecule_fits, assignments))],
                         columns=VERIFY_COLUMNS)
    ok = frame["error"].isna()
    frame["error"] = frame["error"].astype(object).where(~ok, None)  # None, not NaN, for no error
    if ok.any():
        scores = frame.loc[ok, "log_marginal"].to_numpy(dtype=float)
        frame.loc[ok, "probability"] = np.exp(scores - logsumexp(scores))
    frame["rank"] = frame["probability"].rank(ascending=False, method="first").astype("Int64")
    best = frame.loc[frame["probability"].idxmax()] if ok.any() else None
    return Verification(frame, no_fit=best is None or not bool(best["fits"]), assignments=assignments)
