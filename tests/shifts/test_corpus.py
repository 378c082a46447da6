"""The training corpus: a cache keyed on its inputs, stored as data (no pickle), SD files read in place."""

import numpy as np

from shiftnet.shifts.corpus import load_training_data, read_cache
from tests.shifts.conftest import sd_record


def test_cache_round_trip_is_identical_and_pickle_free(tiny_sd, tmp_path):
    cache_dir = tmp_path / "run"
    train, val, info = load_training_data([tiny_sd], val_bucket=-1, cache_dir=cache_dir)
    [cache] = list(cache_dir.glob("data_cache_*.npz"))
    with np.load(cache, allow_pickle=False) as stored:  # data only: no object arrays
        assert all(stored[name].dtype != object for name in stored.files)
    again, again_val, again_info = read_cache(cache)
    assert again_info == info and len(again) == len(train) and again_val == val == []
    for a, b in zip(train, again):
        assert (a.key, a.source, a.mol_id, a.solvent) == (b.key, b.source, b.mol_id, b.solvent)
        np.testing.assert_array_equal(a.graph.edge_index, b.graph.edge_index)
        np.testing.assert_array_equal(a.y_13c, b.y_13c)
        assert (a.spread_13c is None) == (b.spread_13c is None)


def test_other_data_in_the_same_run_directory_is_not_served_from_the_cache(tiny_sd, tmp_path):
    cache_dir = tmp_path / "run"
    first, _, first_info = load_training_data([tiny_sd], val_bucket=-1, cache_dir=cache_dir)
    other = tmp_path / "other.sd"
    other.write_text(sd_record("CCO", "9", {0: 18.4, 1: 58.3}, {3: 1.22}))
    second, _, second_info = load_training_data([other], val_bucket=-1, cache_dir=cache_dir)
    assert [e.mol_id for e in second] == ["9"]
    assert second_info["fingerprint"] != first_info["fingerprint"]
    assert len(list(cache_dir.glob("data_cache_*.npz"))) == 2


def test_sd_input_writes_nothing_beside_it(tiny_sd):
    before = sorted(p.name for p in tiny_sd.parent.iterdir())
    train, _, _ = load_training_data([tiny_sd], val_bucket=-1)
    assert len(train) == 6
    assert sorted(p.name for p in tiny_sd.parent.iterdir()) == before


def test_the_test_split_is_never_trained_on(tmp_path):
    from shiftnet.shifts.corpus import TEST_BUCKET, load_test_data
    from shiftnet.shifts.data import split_bucket

    path = tmp_path / "mols.sd"  # CCS is in skeleton bucket 1 (the test split), the others are not
    path.write_text("".join(sd_record(s, str(i), {0: 20.0, 1: 30.0}, {3: 1.0})
                            for i, s in enumerate(["CCS", "CCO", "CCN", "CCCl"])))
    train, val, info = load_training_data([path], val_bucket=-1)
    assert sorted(e.mol_id for e in train) == ["1", "2", "3"] and info["test_bucket"] == TEST_BUCKET
    test, test_info = load_test_data([path])
    assert [e.mol_id for e in test] == ["0"] and split_bucket(test[0].key) == TEST_BUCKET
    everything, _, _ = load_training_data([path], val_bucket=-1, test_bucket=None)
    assert len(everything) == 4


def test_doubtful_label_list_drops_13c_and_1h_labels_and_names_a_bad_nucleus(tiny_sd):
    import pandas as pd
    import pytest

    from shiftnet.shifts.corpus import drop_doubtful_labels

    examples, _, _ = load_training_data([tiny_sd], val_bucket=-1)
    ethanol = next(e for e in examples if e.mol_id == "1")  # C0 18.4 / 1.22, C1 58.3 / 3.69
    table = pd.DataFrame({"mol_id": ["1", "1"], "atom_index": [1, 0], "nucleus": ["13C", "1H"]})
    assert drop_doubtful_labels(examples, table) == 2
    assert np.isnan(ethanol.y_13c[1]) and ethanol.y_13c[0] == 18.4
    assert np.isnan(ethanol.y_1h[0]) and ethanol.y_1h[1] == pytest.approx(3.69)
    old_layout = pd.DataFrame({"mol_id": ["1"], "atom_index": [0]})  # no nucleus column: 13C
    assert drop_doubtful_labels(examples, old_layout) == 1 and np.isnan(ethanol.y_13c[0])
    with pytest.raises(ValueError, match="19F"):
        drop_doubtful_labels(examples, table.assign(nucleus="19F"))
