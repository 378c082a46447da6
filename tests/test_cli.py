import json
import subprocess
import sys

import pandas as pd
import pytest
from rdkit import Chem

from shiftnet.cli import main


def test_version_console_script():
    out = subprocess.run([sys.executable, "-m", "shiftnet.cli", "--version"], capture_output=True, text=True)
    assert out.returncode == 0 and out.stdout.startswith("shiftnet ")


def test_predict_accurate_flag(capsys):
    assert main(["predict", "--smiles", "CCO", "--accurate", "--no-progress"]) == 0
    assert "1H" in capsys.readouterr().out
    assert main(["predict", "--smiles", "CCO", "--accurate", "--models", "x.pt"]) == 2
    assert "--accurate and --models" in capsys.readouterr().err


def test_predict_file_with_bad_line_to_every_format(tmp_path, capsys):
    source = tmp_path / "mols.smi"
    source.write_text("CCO ethanol\nC1CC broken\nCC(C)=O acetone\n")
    for suffix in ("csv", "json", "sdf", "parquet"):
        out = tmp_path / f"out.{suffix}"
        assert main(["predict", "-i", str(source), "-o", str(out), "--solvent", "CDCl3"]) == 0
        assert out.stat().st_size > 0
    table = pd.read_parquet(tmp_path / "out.parquet")
    assert table.groupby("mol_index")["ok"].first().tolist() == [True, False, True]
    broken = table[table["mol_index"] == 1].iloc[0]
    assert broken["name"] == "broken" and "cannot parse" in broken["error"]
    acetone = table[(table["mol_index"] == 2) & (table["nucleus"] == "13C")]
    assert acetone["shift_ppm"].max() > 195  # the carbonyl
    assert pd.read_csv(tmp_path / "out.csv").shape == table.shape
    records = json.loads((tmp_path / "out.json").read_text())
    assert [r["ok"] for r in records] == [True, False, True]
    mols = list(Chem.SDMolSupplier(str(tmp_path / "out.sdf"), removeHs=False))
    assert len(mols) == 3
    assert mols[0].HasProp("NMREDATA_ASSIGNMENT")
    assert mols[0].GetAtomWithIdx(1).GetDoubleProp("shift_13C_ppm") > 40  # CH2-O
    assert mols[1].HasProp("shiftnet_error")


def test_stdout_table_and_exit_codes(capsys):
    assert main(["predict", "--smiles", "CCO", "c1ccccc1", "--nucleus", "13C"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].startswith("mol_index,name,smiles,ok")
    assert len(table) == 1 + 2 + 6
    assert main(["predict", "--smiles", "xyz", "C1CC"]) == 1
    assert main(["predict", "-i", "/nonexistent/file.smi"]) == 2
    assert main(["predict", "--smiles", "CCO", "-o", "out.unknown"]) == 2


def test_simulate_writes_spectrum_and_exact_labels(tmp_path):
    out = tmp_path / "sim.csv"
    assert main(["simulate", "--shifts", "128.4", "77.2", "21.5", "--nucleus", "13C", "-o", str(out)]) == 0
    spectrum = pd.read_csv(out)
    peaks = pd.read_csv(tmp_path / "sim_peaks.csv")
    assert sorted(peaks["shift_ppm"].round(3)) == [21.5, 77.2, 128.4]
    for ppm in (128.4, 77.2, 21.5):
        nearest = spectrum.iloc[(spectrum["ppm"] - ppm).abs().idxmin()]
        window = spectrum[(spectrum["ppm"] - ppm).abs() < 0.5]
        assert window["intensity"].idxmax() == nearest.name
    assert main(["simulate", "--shifts", "7.2", "--nucleus", "HSQC", "-o", str(tmp_path / "h.npz")]) == 2


def test_process_real_ibuprofen_13c(tmp_path):
    from tests.conftest import SHARED_DATA
    import pytest

    expno = SHARED_DATA / "raw" / "lucyng_ibuprofen" / "2"
    if not expno.is_dir():
        pytest.skip("../shared/data/raw not available")
    out = tmp_path / "ibu.csv"
    assert main(["process", str(expno), "-o", str(out)]) == 0
    spectrum = pd.read_csv(out)
    aromatic = spectrum[(spectrum["ppm"] > 120) & (spectrum["ppm"] < 135)].reset_index(drop=True)
    tallest = aromatic["intensity"].nlargest(40).index  # the two CH lines dominate this region
    found = sorted({round(aromatic.loc[i, "ppm"], 0) for i in tallest})
    assert found == [127.0, 129.0] or found == [127.0, 130.0], found
    assert main(["process", str(tmp_path)]) == 1


def test_interrupted_run_leaves_readable_parquet(tmp_path, monkeypatch):
    from shiftnet.shifts.predict import ShiftPredictor

    original = ShiftPredictor.predict_iter

    def interrupted(self, *args, **kwargs):
        for k, result in enumerate(original(self, *args, **kwargs)):
            if k == 5:
                raise KeyboardInterrupt
            yield result

    monkeypatch.setattr(ShiftPredictor, "predict_iter", interrupted)
    source = tmp_path / "many.smi"
    source.write_text("CCO\n" * 20)
    out = tmp_path / "partial.parquet"
    assert main(["predict", "-i", str(source), "-o", str(out), "--workers", "0"]) == 130
    table = pd.read_parquet(out)
    assert sorted(table["mol_index"].unique()) == [0, 1, 2, 3, 4]


def test_train_command_on_an_sd_file(tmp_path, capsys):
    from tests.shifts.conftest import sd_record

    sd = tmp_path / "nmrshiftdb2withsignals.sd"
    sd.write_text(sd_record("CCO", "1", {0: 18.4, 1: 58.3}, {3: 1.22})
                  + sd_record("CC(C)=O", "2", {0: 30.8, 1: 206.7, 2: 30.8}, {0: 2.17}) * 4)
    run = tmp_path / "run"
    args = ["train", "--data", str(sd), "--out", str(run), "--epochs", "2", "--dim", "16", "--layers", "2"]
    assert main(args) == 0
    assert (run / "model.pt").is_file() and len((run / "log.jsonl").read_text().splitlines()) == 2
    assert sorted(p.name for p in tmp_path.iterdir()) == ["nmrshiftdb2withsignals.sd", "run"]  # nothing beside the input
    assert main(["train", "--data", str(tmp_path / "missing.sd"), "--out", str(run)]) == 2


@pytest.mark.parametrize("suffix", [".csv", ".sdf"])
def test_output_that_is_the_input_is_refused_before_anything_is_touched(tmp_path, suffix, capsys):
    source = tmp_path / f"mols{suffix}"
    if suffix == ".csv":
        source.write_text("smiles,name\nCCO,ethanol\n")
    else:
        source.write_text(Chem.MolToMolBlock(Chem.MolFromSmiles("CCO")) + "$$$$\n")
    before = source.read_bytes()
    assert main(["predict", "-i", str(source), "-o", str(source)]) == 2
    assert "is the input file" in capsys.readouterr().err
    assert source.read_bytes() == before
    link = tmp_path / f"link{suffix}"  # the same file under another name
    link.symlink_to(source)
    assert main(["predict", "-i", str(source), "-o", str(link)]) == 2
    assert source.read_bytes() == before


def test_empty_name_cells_are_none_and_every_format_keeps_every_record(tmp_path):
    from shiftnet import read_structures

    source = tmp_path / "named.csv"
    source.write_text("smiles,name\nCCO,ethanol\nCC(=O)C,\nc1ccccc1,benzene\n")
    assert [r.name for r in read_structures(source)] == ["ethanol", None, "benzene"]
    assert main(["predict", "-i", str(source), "-o", str(tmp_path / "out.sdf")]) == 0
    records = list(Chem.SDMolSupplier(str(tmp_path / "out.sdf"), removeHs=False))
    assert len(records) == 3 and all(m is not None for m in records)
    assert [m.GetProp("_Name") for m in records] == ["ethanol", "mol_1", "benzene"]
    assert main(["predict", "-i", str(source), "-o", str(tmp_path / "out.json")]) == 0

    def reject(constant):
        raise ValueError(f"not JSON: {constant}")

    entries = json.loads((tmp_path / "out.json").read_text(), parse_constant=reject)
    assert [e["name"] for e in entries] == ["ethanol", None, "benzene"]


def test_spectrum_outputs_follow_their_suffix(tmp_path, capsys):
    import numpy as np

    assert main(["simulate", "--shifts", "30", "77", "--nucleus", "13C", "--points", "1024",
                 "-o", str(tmp_path / "sim.npz")]) == 0
    stored = np.load(tmp_path / "sim.npz")
    assert stored["data"].shape == stored["ppm"].shape == (1024,)
    assert main(["simulate", "--shifts", "7.2", "128.0", "--nucleus", "HSQC", "-o", str(tmp_path / "h.csv")]) == 2
    assert "use .npz" in capsys.readouterr().err
    assert not (tmp_path / "h.csv").exists() and not (tmp_path / "h.csv.npz").exists()
    assert main(["simulate", "--shifts", "30", "-o", str(tmp_path / "sim.xyz")]) == 2


def test_plot_option_writes_pictures(tmp_path):
    assert main(["simulate", "--shifts", "30", "77", "--points", "1024", "-o", str(tmp_path / "s.csv"),
                 "--plot", str(tmp_path / "s.png")]) == 0
    assert (tmp_path / "s.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert main(["predict", "--smiles", "CCO", "CC(C)=O", "--plot", str(tmp_path / "p.svg"), "--no-progress",
                 "-o", str(tmp_path / "p.csv")]) == 0
    assert (tmp_path / "p_0.svg").is_file() and (tmp_path / "p_1.svg").is_file()
    assert main(["simulate", "--shifts", "30", "-o", str(tmp_path / "t.csv"), "--plot", str(tmp_path / "t.gif")]) == 2
    assert not (tmp_path / "t.csv").exists()


def test_assign_and_verify_commands(tmp_path, capsys):
    peaks = ["--peaks-13c", "14.2,21.0,60.4,171.1", "--peaks-1h", "1.26:3,2.05:3,4.12:2"]
    out = tmp_path / "ea.nmredata.sdf"
    assert main(["assign", "--smiles", "CCOC(C)=O", *peaks, "-o", str(out)]) == 0
    record = next(Chem.SDMolSupplier(str(out), removeHs=False))
    assert record.GetProp("NMREDATA_VERSION").startswith("1.1") and "60.4" in record.GetProp("NMREDATA_ASSIGNMENT")
    assert main(["verify", "--candidates", "COC(=O)CC", "CCOC(C)=O", "not-a-smiles", *peaks,
                 "-o", str(tmp_path / "v.csv")]) == 0
    report = pd.read_csv(tmp_path / "v.csv")
    assert report.loc[report["rank"] == 1, "smiles"].item() == "CCOC(C)=O"
    assert report["error"].notna().tolist() == [False, False, True]
    assert main(["assign", "--smiles", "CCO", "--peaks-13c", "18.4,58.x"]) == 2
    assert "58.x" in capsys.readouterr().err
    assert main(["assign", "--smiles", "CCO"]) == 2


def test_process_options_and_summary(raw, capsys):
    ibuprofen_1h = str(raw / "lucyng_ibuprofen" / "1")
    assert main(["process", ibuprofen_1h]) == 0
    out = capsys.readouterr().out
    assert "phase: auto" in out and "baseline: whittaker" in out and "CDCl3 line found" in out
    assert main(["process", ibuprofen_1h, "--phase", "10,0", "--baseline", "none", "--reference", "none"]) == 0
    out = capsys.readouterr().out
    assert "p0 = 10.0 deg" in out and "CDCl3" not in out
    assert main(["process", ibuprofen_1h, "--phase", "sideways"]) == 2
    assert main(["process", str(raw / "penguins_testdata" / "9")]) == 0
    assert "WARNING: nus" in capsys.readouterr().out


def test_pick_command(raw, tmp_path, capsys):
    out = tmp_path / "peaks.csv"
    assert main(["pick", str(raw / "lucyng_ibuprofen" / "2"), "-o", str(out), "--min-snr", "8"]) == 0
    peaks = pd.read_csv(out)
    sample = peaks.loc[peaks["source"] == "sample", "shift_ppm"]
    assert len(sample) == 10 and abs(sample.max() - 180.7) < 0.2  # the ten ibuprofen carbons, COOH first
    unsplit = tmp_path / "unsplit.csv"   # the overlap split changes no pick of these real lines
    assert main(["pick", str(raw / "lucyng_ibuprofen" / "2"), "-o", str(unsplit), "--min-snr", "8", "--no-split"]) == 0
    assert pd.read_csv(unsplit)["shift_ppm"].round(4).tolist() == peaks["shift_ppm"].round(4).tolist()
    assert main(["pick", str(raw / "lucyng_ibuprofen" / "1"), "--multiplets", "--total-h", "18"]) == 0
    assert "q" in capsys.readouterr().out  # the CH quartet at 3.7 ppm
    assert main(["pick", str(raw / "lucyng_ibuprofen" / "2"), "--min-snr", "-1"]) == 2
    assert main(["pick", str(raw / "lucyng_ibuprofen" / "2"), "--cross-peaks"]) == 2   # 1D


def test_pick_cross_peaks_of_a_real_hmqc(raw, tmp_path):
    out = tmp_path / "cross.csv"
    assert main(["pick", str(raw / "lucyng_ibuprofen" / "6"), "--cross-peaks", "--min-snr", "8", "-o", str(out)]) == 0
    cross = pd.read_csv(out)
    sample = cross[cross["source"] == "sample"]
    for h, c in [(7.11, 129.4), (7.22, 127.3), (3.71, 44.95), (2.45, 45.0), (1.85, 30.3), (1.50, 18.1), (0.90, 22.4)]:
        near = (sample["shift_ppm_f2"] - h).abs() / 0.03 + (sample["shift_ppm_f1"] - c).abs() / 0.5
        assert near.min() < 1.0, (h, c)
    solvent = cross[cross["source"] == "solvent"]
    assert len(solvent) == 1 and abs(solvent["shift_ppm_f2"].iloc[0] - 7.26) < 0.02
    assert (cross["source"] == "artefact").sum() >= 5   # t1 noise and decoupling residuals of the methyls


def test_train_spectra_command_runs_and_refuses_other_options_on_resume(tmp_path):
    args = ["train-spectra", "peaks", "--out", str(tmp_path / "run"), "--steps", "2", "--batch-size", "2",
            "--n-points", "512", "--val-size", "2", "--num-workers", "0", "--device", "cpu"]
    assert main(args) == 0
    assert (tmp_path / "run" / "model.pt").is_file()
    assert main([*args[:-2], "--device", "cpu", "--lr", "0.1"]) == 2


def test_reconstruct_and_denoise_commands(raw, tmp_path):
    import numpy as np

    out = tmp_path / "hsqc.npz"
    assert main(["reconstruct", str(raw / "penguins_testdata" / "9"), "--method", "cnn", "-o", str(out),
                 "--plot", str(tmp_path / "hsqc.png")]) == 0
    stored = np.load(out)
    assert stored["data"].shape == (stored["ppm_f1"].size, stored["ppm_f2"].size)
    assert (tmp_path / "hsqc.png").is_file()
    assert main(["reconstruct", str(raw / "lucyng_ibuprofen" / "2")]) == 2  # 1D, no nuslist
    sim = tmp_path / "noisy.csv"
    assert main(["simulate", "--shifts", "30", "77", "--points", "4096", "--snr", "10", "-o", str(sim)]) == 0
    clean = tmp_path / "clean.csv"
    assert main(["denoise", str(sim), "--method", "savgol", "-o", str(clean), "--plot", str(tmp_path / "d.png")]) == 0
    before, after = pd.read_csv(sim), pd.read_csv(clean)
    assert np.allclose(before["ppm"], after["ppm"]) and after["intensity"].std() < before["intensity"].std()
