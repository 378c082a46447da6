"""Assignment of peak lists to atoms: known assignments, symmetry, missing / extra peaks,
DEPT, referencing offset, HSQC."""

import numpy as np
import pytest

from shiftnet.assignment import assign
from shiftnet.assignment.likelihood import Sites, fit_nucleus
from shiftnet.assignment.observed import peak_list
from shiftnet.molecules import MoleculeError

#: Ethyl acetate CCOC(C)=O (CDCl3, literature): atom index -> 13C / 1H (per heavy atom) ppm.
ETHYL_ACETATE_13C = {0: 14.2, 1: 60.5, 3: 171.1, 4: 21.0}
ETHYL_ACETATE_1H = {0: 1.26, 1: 4.12, 4: 2.05}


def _observed(frame, nucleus):
    rows = frame[frame["nucleus"] == nucleus]
    return dict(zip(rows["atom_index"], rows["observed_ppm"]))


def test_ethyl_acetate_known_assignment():
    a = assign("CCOC(C)=O", peaks_13c=[21.0, 171.1, 14.2, 60.5], peaks_1h=[2.05, 1.26, 4.12], k=3)
    assert _observed(a.frame, "13C") == ETHYL_ACETATE_13C
    assert _observed(a.frame, "1H") == ETHYL_ACETATE_1H
    assert list(a.frame.columns) == ["atom_index", "nucleus", "predicted_ppm", "sigma_ppm", "observed_ppm",
                                     "peak_index", "z_score", "confidence"]
    assert (a.frame["confidence"] > 0.9).all()
    assert np.all(np.abs(a.frame["z_score"]) < 4)
    assert a.alternatives["rank"].nunique() == 3
    best = a.alternatives[a.alternatives["rank"] == 0]
    assert dict(zip(best[best["nucleus"] == "13C"]["atom_index"], best[best["nucleus"] == "13C"]["observed_ppm"])) \
        == ETHYL_ACETATE_13C


def test_symmetric_atoms_share_a_peak():
    a = assign("Cc1ccc(C)cc1", peaks_13c=[134.7, 129.0, 21.0])
    observed = _observed(a.frame, "13C")
    assert len(observed) == 8
    assert observed[0] == observed[5] == 21.0  # atoms: 0 CH3, 1 c, 2 cH, 3 cH, 4 c, 5 CH3, 6 cH, 7 cH
    assert observed[1] == observed[4] == 134.7
    assert {observed[i] for i in (2, 3, 6, 7)} == {129.0}


def test_missing_and_extra_peak():
    peaks = [21.0, 14.2, 77.16, 60.5]  # no carbonyl; CDCl3 at 77.16
    a = assign("CCOC(C)=O", peaks_13c=peaks)
    observed = _observed(a.frame, "13C")
    assert np.isnan(observed.pop(3))
    assert observed == {k: v for k, v in ETHYL_ACETATE_13C.items() if k != 3}
    assert 2 not in set(a.frame["peak_index"])
    assert a.frame.loc[a.frame["atom_index"] == 3, "peak_index"].item() == -1


def test_referencing_offset_is_estimated():
    a = assign("CCOC(C)=O", peaks_13c=[v + 0.8 for v in ETHYL_ACETATE_13C.values()])
    assert a.offset_ppm["13C"] == pytest.approx(0.8, abs=0.31)
    assert _observed(a.frame, "13C") == {k: v + 0.8 for k, v in ETHYL_ACETATE_13C.items()}


def test_dept_multiplicity_decides_between_close_peaks():
    sites = Sites("13C", [np.array([0]), np.array([1])], np.array([45.0, 45.5]), np.array([1.0, 1.0]),
                  np.array([2, 1]), np.array([False, False]))
    plain = fit_nucleus(sites, peak_list([45.4, 45.1], "13C"))
    assert plain.peak_of_site.tolist() == [1, 0]
    dept = fit_nucleus(sites, peak_list([(45.4, "t"), (45.1, "d")], "13C"))
    assert dept.peak_of_site.tolist() == [0, 1]


def test_integrals_decide_between_close_proton_peaks():
    sites = Sites("1H", [np.array([0]), np.array([1])], np.array([2.00, 2.05]), np.array([0.1, 0.1]),
                  np.array([3, 1]), np.array([False, False]))
    assert fit_nucleus(sites, peak_list([2.06, 1.99], "1H")).peak_of_site.tolist() == [1, 0]
    with_integrals = fit_nucleus(sites, peak_list([(2.06, 3.0), (1.99, 1.0)], "1H"))
    assert with_integrals.peak_of_site.tolist() == [0, 1]


def test_hsqc_ties_carbon_and_protons():
    a = assign("CCOC(C)=O", peaks_13c=list(ETHYL_ACETATE_13C.values()), peaks_1h=[2.05, 1.26, 4.12],
               hsqc=[(1.26, 14.2), (4.12, 60.5), (2.05, 21.0)])
    assert _observed(a.frame, "13C") == ETHYL_ACETATE_13C
    assert _observed(a.frame, "1H") == ETHYL_ACETATE_1H


def test_bad_input_is_a_clear_error():
    with pytest.raises(MoleculeError):
        assign("not a smiles", peaks_13c=[10.0])
    with pytest.raises(ValueError, match="no observed data"):
        assign("CCO")
