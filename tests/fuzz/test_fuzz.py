"""Fuzzing the structure inputs: every input gets a result or a named reason, nothing crashes,
hangs or drops the rest of the file. The corpus is ``tests/fuzz/corpus/`` plus inputs generated
here (long strings, 2,000-atom molecules, random bytes)."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest
from rdkit import Chem

from shiftnet import predict
from shiftnet.cli import main
from shiftnet.readers import StructureFileError, read_structures

CORPUS = Path(__file__).parent / "corpus"
#: Generous wall-clock bound per input on a busy 2-core machine (a hang would take forever).
SECONDS_PER_INPUT = 1.0


def _generated_smiles() -> list[str]:
    return ["C" * 10_000, "c1ccccc1" * 300, "C1" * 5_000, "C" + "(C)" * 3_000, "[" * 2_000,
            "C%" + "9" * 1_000, "\x00" * 100, "\ud7ff\ue000", "c1ccccc1" + ".C" * 500, "C" * 251]


def _check_results(results, n_expected: int) -> None:
    assert len(results) == n_expected
    for result in results:
        assert result.ok or (isinstance(result.error, str) and 0 < len(result.error) < 300)


def test_adversarial_smiles_each_get_a_result_or_a_reason():
    smiles = [line.split(" ")[0] for line in (CORPUS / "adversarial.smi").read_text(encoding="utf-8").splitlines()
              if line and not line.startswith("#")] + _generated_smiles()
    start = time.perf_counter()
    results = predict(smiles)
    assert time.perf_counter() - start < SECONDS_PER_INPUT * len(smiles)
    _check_results(results, len(smiles))
    by_smiles = dict(zip(smiles, results))
    assert by_smiles["CCO"].ok and by_smiles["c1ccccc1"].ok
    assert "radical" in by_smiles["[CH3]"].error and "Xe" in by_smiles["[Xe]"].error
    assert "too large" in by_smiles["C" * 10_000].error
    assert "set aside" in by_smiles["[Na+].[O-]C(=O)c1ccccc1"].set_aside


def test_two_thousand_atom_mol_block_is_refused_quickly():
    mol = Chem.MolFromSmiles("C" * 2_000)
    block = Chem.MolToV3KMolBlock(mol)
    start = time.perf_counter()
    [result] = predict([Chem.MolFromMolBlock(block)])
    assert time.perf_counter() - start < 5 and "too large" in result.error


@pytest.mark.parametrize("name, n_records, n_ok", [("adversarial.smi", 26, None), ("broken_middle.sdf", 4, 2),
                                                   ("wrong_counts.mol", 1, 0), ("latin1.csv", 2, 2)])
def test_files_keep_one_entry_per_record(name, n_records, n_ok):
    results = predict(CORPUS / name)
    _check_results(results, n_records)
    if n_ok is not None:
        assert sum(r.ok for r in results) == n_ok


def test_unreadable_files_raise_one_named_error(tmp_path):
    rng = np.random.default_rng(0)
    for suffix in (".sdf", ".csv", ".smi", ".parquet", ".mol"):
        (tmp_path / f"random{suffix}").write_bytes(rng.integers(0, 256, 4096, dtype=np.uint8).tobytes())
    files = [*tmp_path.glob("random.*"), CORPUS / "empty.smi", CORPUS / "missing_column.csv", tmp_path]
    for path in files:
        with pytest.raises(StructureFileError, match=str(path.name)):
            read_structures(path)


def test_cli_never_prints_a_traceback(tmp_path, capsys):
    (tmp_path / "random.csv").write_bytes(bytes(range(256)) * 8)
    cases = [(["-i", str(CORPUS / "adversarial.smi")], 0), (["-i", str(CORPUS / "empty.smi")], 2),
             (["-i", str(tmp_path / "random.csv")], 2), (["-i", str(CORPUS / "missing_column.csv")], 2),
             (["--smiles", "C1CC", "[Xe]"], 1)]
    for args, code in cases:
        assert main(["predict", *args, "--no-progress", "-o", str(tmp_path / "out.csv")]) == code
        assert "Traceback" not in capsys.readouterr().err
