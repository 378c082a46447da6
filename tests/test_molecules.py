import numpy as np
import pytest
from rdkit import Chem

from shiftnet.molecules import MAX_HEAVY_ATOMS, MoleculeError, mol_from_smiles, prepare


def test_smiles_order_kept_and_h_appended():
    prep = prepare(mol_from_smiles("OCC"))
    symbols = [a.GetSymbol() for a in prep.mol.GetAtoms()]
    assert symbols[:3] == ["O", "C", "C"]
    assert set(symbols[3:]) == {"H"}
    assert prep.heavy_index.tolist() == [0, 1, 2]
    # H appended in AddHs order: first the O-H, then the two CH2 H, then the CH3 H
    assert prep.h_parent.tolist() == [0, 1, 1, 2, 2, 2]


def test_explicit_h_positions_kept():
    params = Chem.SmilesParserParams()
    params.removeHs = False
    mol = Chem.MolFromSmiles("[H]OC([H])([H])C", params)
    prep = prepare(mol)
    assert prep.mol.GetAtomWithIdx(0).GetSymbol() == "H"
    assert prep.h_parent[0] == 1  # H0 sits on O1
    assert prep.heavy_index.tolist() == [1, 2, 5]
    assert prep.mol.GetNumAtoms() == 9  # three CH3 H appended


def test_symmetry_classes_tert_butyl():
    prep = prepare(mol_from_smiles("CC(C)(C)O"))
    ranks = prep.symmetry_class
    assert ranks[0] == ranks[2] == ranks[3]
    assert ranks[0] != ranks[1]


@pytest.mark.parametrize("smiles, reason", [
    ("", "empty"),
    ("C1CC", "cannot parse"),
    ("C[Na]", "unsupported element"),
    ("[CH3]", "radical"),
    ("[Pt]", "unsupported element"),
    ("C" * (MAX_HEAVY_ATOMS + 1), "too large"),
    ("c1cccc1", "cannot"),
])
def test_bad_inputs_have_reasons(smiles, reason):
    with pytest.raises(MoleculeError, match=reason):
        prepare(mol_from_smiles(smiles))


def test_charged_salt_is_in_domain():
    prep = prepare(mol_from_smiles("C[NH3+].[Cl-]"))
    assert prep.heavy_index.size == 3
    assert np.count_nonzero(prep.atomic_num == 1) == 6
