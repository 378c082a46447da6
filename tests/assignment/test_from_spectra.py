"""Assignment and verification from raw spectra: ibuprofen's 13C, DEPT, 1H and HMQC data sets."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

import shiftnet
from shiftnet.assignment.from_spectra import observed_from_spectra

ISOMERS_FILE = Path(__file__).resolve().parents[2] / "data" / "ibuprofen_isomers.smi"
IBUPROFEN, *ISOMERS = [line.split()[0] for line in ISOMERS_FILE.read_text().splitlines() if not line.startswith("#")]
#: 13C (CDCl3, 77.16 scale) with DEPT multiplicity and 1H multiplets (ppm, protons) of ibuprofen.
CARBONS = [(180.7, "s"), (141.0, "s"), (137.1, "s"), (129.5, "d"), (127.4, "d"), (45.2, "t"), (45.1, "d"),
           (30.3, "d"), (22.5, "q"), (18.2, "q")]
PROTONS = [(7.22, 2), (7.10, 2), (3.71, 1), (2.45, 2), (1.85, 1), (1.50, 3), (0.90, 6)]


@pytest.fixture(scope="module")
def data(raw):
    root = raw / "lucyng_ibuprofen"
    return {"13C": root / "2", "DEPT135": root / "3", "DEPT90": root / "4", "1H": root / "1", "HMQC": root / "6"}


@pytest.fixture(scope="module")
def observed(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return observed_from_spectra(data, ch_protons=17)


def test_peak_lists_from_raw_data(observed):
    carbons = observed["peaks_13c"]
    assert len(carbons) == len(CARBONS)
    for (ppm, letter), (expected, expected_letter) in zip(carbons, CARBONS):
        assert abs(ppm - expected) < 0.1 and letter == expected_letter
    protons = observed["peaks_1h"]
    assert len(protons) == len(PROTONS)
    for (ppm, integral), (expected, count) in zip(protons, PROTONS):
        assert abs(ppm - expected) < 0.02 and abs(integral - count) <= 0.1 * count
    cross = np.array(observed["hsqc"])
    assert len(cross) == 7  # one per protonated carbon environment, no ridges or impurities
    for h, c in [(7.11, 129.4), (7.21, 127.3), (3.71, 44.95), (2.45, 45.0), (1.85, 30.3), (1.49, 18.1), (0.90, 22.4)]:
        assert np.min(np.abs(cross[:, 0] - h) + np.abs(cross[:, 1] - c) / 10) < 0.1
    assert observed["solvent"] == "CDCl3"


def test_ibuprofen_wins_against_its_isomers_from_raw_data(data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = shiftnet.verify([IBUPROFEN, *ISOMERS], data=data)
    frame = result.frame
    assert int(frame.loc[0, "rank"]) == 1 and frame.loc[0, "probability"] >= 0.9
    assert not result.no_fit


#: Ibuprofen's assignment (atom index -> 13C ppm; heavy atom -> 1H ppm), literature and DEPT.
ASSIGNED_13C = {0: 22.5, 1: 30.3, 2: 22.5, 3: 45.2, 4: 141.0, 5: 129.5, 6: 127.4, 7: 137.1, 8: 45.1, 9: 18.2,
                10: 180.7, 13: 127.4, 14: 129.5}
ASSIGNED_1H = {0: 0.90, 1: 1.85, 2: 0.90, 3: 2.45, 5: 7.10, 6: 7.22, 8: 3.71, 9: 1.50, 13: 7.22, 14: 7.10}


def test_full_assignment_from_raw_data_with_hmbc(data, raw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = shiftnet.assign(IBUPROFEN, data={**data, "HMBC": raw / "lucyng_ibuprofen" / "7"})
    frame = result.frame
    for nucleus, expected in (("13C", ASSIGNED_13C), ("1H", ASSIGNED_1H)):
        rows = frame[frame["nucleus"] == nucleus].set_index("atom_index")["observed_ppm"]
        for atom, ppm in expected.items():
            assert abs(rows[atom] - ppm) < 0.1, (nucleus, atom, rows[atom], ppm)


def test_hmbc_cross_peaks_decide_between_quaternary_carbons():
    carbons = [(p, None) for p in (180.7, 141.0, 137.1, 129.5, 127.4, 45.2, 45.1, 30.3, 22.5, 18.2)]
    protons = [(7.22, 2), (7.10, 2), (3.71, 1), (2.45, 2), (1.85, 1), (1.50, 3), (0.90, 6)]
    true_hmbc = [(2.45, 141.0), (1.85, 141.0), (1.50, 137.1), (3.71, 137.1)]
    swapped_hmbc = [(2.45, 137.1), (1.85, 137.1), (1.50, 141.0), (3.71, 141.0)]
    for hmbc, c4 in ((true_hmbc, 141.0), (swapped_hmbc, 137.1)):
        frame = shiftnet.assign(IBUPROFEN, peaks_13c=carbons, peaks_1h=protons, hmbc=hmbc).frame
        quaternary = frame[(frame["nucleus"] == "13C")].set_index("atom_index")["observed_ppm"]
        assert quaternary[4] == c4 and quaternary[7] == (137.1 if c4 == 141.0 else 141.0)
