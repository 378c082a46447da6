import numpy as np
import pytest
import torch
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


def test_charged_salt_is_in_domain_with_its_halide_set_aside():
    prep = prepare(mol_from_smiles("C[NH3+].[Cl-]"))
    assert prep.heavy_index.tolist() == [0, 1] and prep.set_aside == (2,)
    assert np.count_nonzero(prep.atomic_num == 1) == 6 and prep.h_index.size == 6
    assert prep.set_aside_text() == "counter-ion set aside: Cl- (atom 2)"


@pytest.mark.parametrize("smiles", ["Cc1ccc(C)cc1", "CC(C)(C)O", "C[C@H](O)CC", "C/C=C/C", "OC(=O)C[C@@H](N)C(=O)O",
                                    "C1CC1", "CN1C=NC2=C1C(=O)N(C(=O)N2C)C", "C[NH3+].[Cl-]"])
def test_symmetry_classes_match_rdkit_on_the_h_expanded_graph(smiles):
    """The fast path (heavy-atom ranks, H inherit their parent's class) gives RDKit's partition."""
    prep = prepare(mol_from_smiles(smiles))
    reference = np.asarray(Chem.CanonicalRankAtoms(prep.mol, breakTies=False))
    pairs = set(zip(prep.symmetry_class.tolist(), reference.tolist()))
    assert len(pairs) == len(set(reference.tolist())) == len(set(prep.symmetry_class.tolist()))
    assert prep.symmetry_class.min() >= 0 and prep.symmetry_class.max() < prep.mol.GetNumAtoms()


def test_featurize_batch_equals_collated_single_graphs():
    from shiftnet.shifts.featurize import collate, featurize, featurize_batch

    preps = [prepare(mol_from_smiles(s)) for s in ["c1ccccc1O", "CC(=O)N", "C1CCC2CCCCC2C1", "[H]OC([H])([H])C"]]
    batch = featurize_batch(preps, [0, 1, 2, 3])
    reference = collate([featurize(p) for p in preps], [0, 1, 2, 3])
    for name in ("x", "edge_index", "edge_attr", "batch", "solvent"):
        assert torch.equal(getattr(batch, name), getattr(reference, name)), name


def test_features_of_hand_checked_atoms():
    """Indane-1-one with an N-methylamide side chain: element, degree, H count, charge,
    hybridisation, aromaticity and ring codes checked by hand for chosen atoms."""
    from shiftnet.shifts.featurize import ATOM_FEATURES, BOND_FEATURES, featurize

    # atoms: 0 C(=O) ring carbon, 1 O, 2 CH2, 3 CH2, 4 c (fusion), 5-8 cH, 9 c (fusion), 10 [NH3+]
    prep = prepare(mol_from_smiles("C1(=O)CCc2cccc(c21)[NH3+]"))
    graph = featurize(prep)
    names = [n for n, _ in ATOM_FEATURES]
    row = lambda k: dict(zip(names, graph.x[k].tolist()))  # noqa: E731
    # carbonyl carbon: C (1+1), 3 heavy neighbours, no H, neutral (code 2), sp2 (2), not aromatic,
    # smallest ring 5 (code 5 - 2 = 3), one ring, no six-ring, in a five-ring
    assert row(0) == dict(element=2, heavy_degree=3, num_h=0, formal_charge=2, hybridization=2, aromatic=0,
                          smallest_ring=3, num_rings=1, ring_size_6_count=0, in_ring_5=1)
    assert row(1) == dict(element=4, heavy_degree=1, num_h=0, formal_charge=2, hybridization=2, aromatic=0,
                          smallest_ring=0, num_rings=0, ring_size_6_count=0, in_ring_5=0)
    assert row(2)["num_h"] == 2 and row(2)["hybridization"] == 3
    # fusion carbon 4: aromatic, in the five- and the six-ring (smallest 5), two rings
    assert row(4) == dict(element=2, heavy_degree=3, num_h=0, formal_charge=2, hybridization=2, aromatic=1,
                          smallest_ring=3, num_rings=2, ring_size_6_count=1, in_ring_5=1)
    assert row(5)["smallest_ring"] == 4 and row(5)["num_rings"] == 1 and row(5)["in_ring_5"] == 0
    assert row(10) == dict(element=3, heavy_degree=1, num_h=3, formal_charge=3, hybridization=3, aromatic=0,
                           smallest_ring=0, num_rings=0, ring_size_6_count=0, in_ring_5=0)
    bonds = {tuple(sorted(e)): dict(zip([n for n, _ in BOND_FEATURES], a.tolist()))
             for e, a in zip(graph.edge_index.T.tolist(), graph.edge_attr)}
    assert bonds[(0, 1)] == dict(bond_type=1, conjugated=1, in_ring=0, stereo=0)   # C=O, conjugated to the ring
    assert bonds[(2, 3)] == dict(bond_type=0, conjugated=0, in_ring=1, stereo=0)   # CH2-CH2 in the ring
    assert bonds[(4, 5)]["bond_type"] == 3                                          # aromatic
    assert graph.edge_index.shape == (2, 2 * 12)
    trans, cis = (featurize(prepare(mol_from_smiles(s))) for s in ("C/C=C/C", r"C/C=C\C"))
    assert trans.edge_attr[:, 3].max() == 1 and cis.edge_attr[:, 3].max() == 2  # E / Z on the double bond


@pytest.mark.parametrize("smiles", ["C[Ge](C)(C)C", "C[As](C)C", "CCCC[Sn](CCCC)(CCCC)Cl", "c1ccc(cc1)[Te]C",
                                    "C[Hg]Cl"])
def test_thin_data_elements_are_in_domain(smiles):
    prep = prepare(mol_from_smiles(smiles))
    assert prep.set_aside == () and prep.heavy_index.size == mol_from_smiles(smiles).GetNumAtoms()
