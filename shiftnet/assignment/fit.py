"""All observed data of one sample matched to one molecule's predicted shifts.

1D lists of each nucleus are fitted on their own (offset scanned). HSQC cross peaks, when
given, are matched to the protonated carbon classes with both shifts at once (at the 1D
offsets); the matched cross peaks then tie the 1D assignments: a protonated carbon and its
protons are expected at their cross peak's coordinates (within :data:`TIE_SIGMA_PPM`) instead of
at the prediction, and the 1D lists are refitted.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..results import MoleculeResult
from .hmbc import rescore_with_hmbc
from .likelihood import NucleusFit, NucleusModel, Sites, fit_nucleus, molecule_sites
from .observed import PeakList, hsqc_array, peak_list

#: HSQC: (1H, 13C) axes; background over the spectral area, overlap within one cross-peak width.
HSQC_MODEL = NucleusModel("HSQC", background_width_ppm=14.0 * 240.0, overlap_width_ppm=0.1 * 1.0,
                          offset_max_ppm=0.0, offset_step_ppm=1.0, p_missing=0.05, p_missing_weak=0.05)
#: How close (ppm) a 1D peak is expected to its HSQC cross peak's coordinate, per nucleus.
TIE_SIGMA_PPM = {"13C": 0.3, "1H": 0.03}
NUCLEI = ("13C", "1H")


@dataclass(frozen=True)
class Observed:
    """Everything observed for one sample, as unassigned peak lists.

    Attributes
    ----------
    peaks : 1D peak lists by nucleus ("13C", "1H"); a nucleus without a list is absent.
    hsqc : HSQC cross peaks (1H ppm, 13C ppm), or None.
    """

    peaks: dict[str, PeakList]
    hsqc: PeakList | None = None
    hmbc: np.ndarray | None = None

    @classmethod
    def from_lists(cls, peaks_13c=None, peaks_1h=None, hsqc=None, hmbc=None) -> "Observed":
        """Build from user lists (see :func:`shiftnet.assignment.observed.peak_list`); ``hmbc``:
        long-range ``(1H ppm, 13C ppm)`` cross peaks, used with both 1D lists."""
        lists = {n: peak_list(p, n) for n, p in zip(NUCLEI, (peaks_13c, peaks_1h)) if p is not None}
        pairs = hsqc_array(hsqc)
        cross = None
        if len(pairs):
            cross = PeakList("HSQC", pairs, np.full(len(pairs), -1), np.full(len(pairs), np.nan))
        if not lists and cross is None:
            raise ValueError("no observed data: give peaks_13c, peaks_1h and/or hsqc")
        long_range = hsqc_array(hmbc)
        return cls(lists, cross, long_range if len(long_range) else None)


@dataclass
class MoleculeFit:
    """The fits of one molecule: per nucleus (and "HSQC") a :class:`NucleusFit`.

    Attributes
    ----------
    result : the prediction that was fitted.
    fits : by "13C", "1H", "HSQC".
    sites : the predicted (untied) sites per 1D nucleus, for residuals against the prediction.
    """

    result: MoleculeResult
    fits: dict[str, NucleusFit]
    sites: dict[str, Sites] = field(default_factory=dict)

    @property
    def log_likelihood(self) -> float:
        """Best-assignment log-likelihood of all observed data (natural log)."""
        return float(sum(f.log_likelihood for f in self.fits.values()))

    @property
    def log_marginal(self) -> float:
        """Approximate log marginal likelihood of all observed data (natural log)."""
        return float(sum(f.log_marginal for f in self.fits.values()))

    def offset_ppm(self, nucleus: str) -> float:
        """Referencing offset of a 1D nucleus (0 when it was not observed)."""
        return self.fits[nucleus].offset_ppm if nucleus in self.fits else 0.0


def _hsqc_sites(carbon: Sites, proton: Sites) -> tuple[Sites, np.ndarray]:
    """Protonated carbon classes with their (1H, 13C) predictions; returns them and, per HSQC
    site, the index of its 1H site."""
    site_of_heavy = {int(a): i for i, atoms in enumerate(proton.atoms) for a in atoms}
    keep = [i for i in range(len(carbon)) if carbon.n_h[i] > 0 and int(carbon.atoms[i][0]) in site_of_heavy]
    h_site = np.array([site_of_heavy[int(carbon.atoms[i][0])] for i in keep], dtype=np.int64)
    mean = np.column_stack([proton.mean_ppm[h_site], carbon.mean_ppm[keep]]).reshape(-1, 2)
    sigma = np.column_stack([proton.sigma_ppm[h_site], carbon.sigma_ppm[keep]]).reshape(-1, 2)
    sites = Sites("HSQC", [carbon.atoms[i] for i in keep], mean, sigma,
                  carbon.n_h[keep], np.zeros(len(keep), dtype=bool))
    return sites, h_site


def _tie(sites: Sites, atoms: list[np.ndarray], ppm: np.ndarray, nucleus: str) -> Sites:
    """``sites`` whose class holds one of ``atoms[m]`` expected at ``ppm[m]`` (offset removed)."""
    mean, sigma = sites.mean_ppm.copy(), sites.sigma_ppm.copy()
    first = {int(a[0]): m for m, a in enumerate(atoms)}
    for i, site_atoms in enumerate(sites.atoms):
        m = next((first[int(a)] for a in site_atoms if int(a) in first), None)
        if m is not None:
            mean[i], sigma[i] = ppm[m], TIE_SIGMA_PPM[nucleus]
    return replace(sites, mean_ppm=mean, sigma_ppm=sigma)


def _fit_hsqc(fit: MoleculeFit, observed: Observed, k: int) -> None:
    """Match the cross peaks, then refit the 1D lists tied to the matched cross peaks."""
    carbon = fit.sites.get("13C") or molecule_sites(fit.result, "13C")
    proton = fit.sites.get("1H") or molecule_sites(fit.result, "1H")
    sites, _ = _hsqc_sites(carbon, proton)
    offset = np.array([[fit.offset_ppm("1H"), fit.offset_ppm("13C")]])
    hsqc = fit_nucleus(sites, observed.hsqc, k, HSQC_MODEL, offsets_ppm=offset)
    fit.fits["HSQC"] = hsqc
    matched = hsqc.peak_of_site >= 0
    atoms = [a for a, m in zip(sites.atoms, matched) if m]
    cross = observed.hsqc.ppm[hsqc.peak_of_site[matched]] - offset
    for axis, nucleus in ((1, "13C"), (0, "1H")):
        if nucleus in observed.peaks:
            tied = _tie(fit.sites[nucleus], atoms, cross[:, axis], nucleus)
            fit.fits[nucleus] = fit_nucleus(tied, observed.peaks[nucleus], k,
                                            offsets_ppm=np.array([fit.offset_ppm(nucleus)]))


def fit_molecule(result: MoleculeResult, observed: Observed, k: int = 5) -> MoleculeFit:
    """Fit every observed list to a successful prediction ``result``."""
    fit = MoleculeFit(result, {})
    for nucleus, peaks in observed.peaks.items():
        fit.sites[nucleus] = molecule_sites(result, nucleus)
        fit.fits[nucleus] = fit_nucleus(fit.sites[nucleus], peaks, k)
    if observed.hsqc is not None:
        _fit_hsqc(fit, observed, k)
    if observed.hmbc is not None and all(n in fit.fits for n in NUCLEI):
        fit.fits["13C"] = rescore_with_hmbc(fit, observed.hmbc)
    return fit
