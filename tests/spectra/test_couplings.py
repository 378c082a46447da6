"""Topological H-H couplings and first-order multiplets."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from rdkit import Chem

from shiftnet.spectra.couplings import J_RANGES_HZ, estimate_couplings
from shiftnet.spectra.multiplets import multiplet, multiplicity


def with_h(smiles: str) -> Chem.Mol:
    return Chem.AddHs(Chem.MolFromSmiles(smiles))


def hetero_h(mol: Chem.Mol) -> list[int]:
    return [a.GetIdx() for a in mol.GetAtoms() if a.GetAtomicNum() == 1 and a.GetNeighbors()[0].GetSymbol() != "C"]


def kinds(couplings) -> Counter:
    return Counter(c.kind for c in couplings)


def test_ethanol_vicinal_and_geminal_none_to_oh():
    mol = with_h("CCO")
    couplings = estimate_couplings(mol, exchangeable=hetero_h(mol))
    assert kinds(couplings) == {"vicinal_sp3": 6, "geminal_sp3": 4}
    oh = set(hetero_h(mol))
    assert not any({c.h1, c.h2} & oh for c in couplings)
    assert {c.j_hz for c in couplings if c.kind == "vicinal_sp3"} == {7.0}
    assert all(c.h1 < c.h2 for c in couplings)


@pytest.mark.parametrize("smiles, kind, j_hz", [("C/C=C/C", "alkene_trans", 16.5), ("C/C=C\\C", "alkene_cis", 10.5),
                                                ("C1=CCCCC1", "alkene_cis", 10.5)])
def test_alkene_cis_trans_from_geometry(smiles, kind, j_hz):
    couplings = [c for c in estimate_couplings(with_h(smiles)) if c.kind.startswith("alkene")]
    assert [(c.kind, c.j_hz) for c in couplings] == [(kind, j_hz)]


def test_vinyl_group_has_one_cis_one_trans_and_a_geminal():
    counts = kinds(estimate_couplings(with_h("C=CC")))
    assert counts["alkene_cis"] == 1 and counts["alkene_trans"] == 1 and counts["geminal_sp2"] == 1
    assert counts["vicinal_sp3_sp2"] == 3 and "allylic" not in counts


def test_aromatic_ortho_meta_para():
    mol = with_h("Cc1ccccc1")
    assert kinds(estimate_couplings(mol)) == {"aromatic_ortho": 4, "aromatic_meta": 4, "geminal_sp3": 3}
    long_range = kinds(estimate_couplings(mol, long_range=True))
    assert long_range["aromatic_para"] == 2
    furan = kinds(estimate_couplings(with_h("c1ccoc1")))
    assert furan["aromatic_ortho_5ring"] == 3 and "aromatic_ortho" not in furan


def test_aldehyde_vicinal_is_small():
    couplings = estimate_couplings(with_h("CC=O"))
    assert {c.kind for c in couplings if c.kind != "geminal_sp3"} == {"vicinal_aldehyde"}
    assert all(c.j_hz == 2.5 for c in couplings if c.kind == "vicinal_aldehyde")


def test_drawn_couplings_lie_in_range_and_are_shared_per_kind():
    mol = with_h("CCc1ccccc1")
    a = estimate_couplings(mol, rng=np.random.default_rng(5))
    b = estimate_couplings(mol, rng=np.random.default_rng(5))
    assert a == b
    for kind in {c.kind for c in a}:
        values = {c.j_hz for c in a if c.kind == kind}
        _, low, high = J_RANGES_HZ[kind]
        assert len(values) == 1 and low <= values.pop() <= high
    assert a != estimate_couplings(mol, rng=np.random.default_rng(6))


def test_needs_explicit_hydrogens():
    with pytest.raises(ValueError, match="explicit hydrogens"):
        estimate_couplings(Chem.MolFromSmiles("CCO"))


def test_multiplet_binomial_and_roofing():
    offsets, weights = multiplet([7.0, 7.0, 7.0])
    np.testing.assert_allclose(offsets, [-10.5, -3.5, 3.5, 10.5])
    np.testing.assert_allclose(weights * 8, [1, 3, 3, 1])
    # AB doublet: the line toward the partner has weight (1 + J/D) / 2
    offsets, weights = multiplet([10.0], [30.0])
    lean = 10.0 / np.hypot(30.0, 10.0)
    np.testing.assert_allclose(weights, [(1 - lean) / 2, (1 + lean) / 2])
    offsets, weights = multiplet([-12.0], [30.0])                  # sign of J does not change the lean
    np.testing.assert_allclose(weights, [(1 - 12 / np.hypot(30, 12)) / 2, (1 + 12 / np.hypot(30, 12)) / 2])


@pytest.mark.parametrize("j, label", [([], "s"), ([7.0], "d"), ([7.0, 7.0], "t"), ([7.0] * 3, "q"),
                                      ([10.5, 16.5], "dd"), ([7.7, 7.7, 1.5, 1.5], "tt"), ([7.0] * 7, "m"),
                                      ([1.0, 2.0, 3.0, 4.0], "m")])
def test_multiplicity_labels(j, label):
    assert multiplicity(j) == label
