"""The JSON endpoints through Starlette's test client: answers, downloads, readable errors,
limits (body size, zip bounds, time), 1D and 2D uploads from files written by shiftnet itself."""

from __future__ import annotations

import io
import warnings
import zipfile
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")
with warnings.catch_warnings():  # starlette's note about its httpx-based client
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient  # noqa: E402

from shiftnet import spectra  # noqa: E402
from shiftnet.web.app import Limits, create_app  # noqa: E402
from shiftnet.web.uploads import ArchiveLimits  # noqa: E402


@pytest.fixture(scope="module")
def client():
    limits = Limits(max_upload_bytes=2 * 2**20, archive=ArchiveLimits(max_files=50, max_bytes=4 * 2**20))
    with TestClient(create_app(limits), raise_server_exceptions=False) as test_client:
        yield test_client


def zipped(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for path in sorted(folder.rglob("*")):
            zf.write(path, Path(folder.name) / path.relative_to(folder))
    return buffer.getvalue()


def test_predict_and_downloads(client):
    answer = client.post("/api/predict", data={"smiles": "CC(=O)Oc1ccccc1C(=O)O", "obs_mhz": "600"})
    assert answer.status_code == 200
    body = answer.json()
    assert len(body["spectra"]["13C"]["peaks"]) == 9 and body["spectra"]["1H"]["obs_mhz"] == 600
    assert {row["nucleus"] for row in body["table"]} == {"13C", "1H"} and body["svg"].count("atom-spot") >= 13
    expected = {"csv": b"mol_index,", "sdf": b"NMREDATA_ASSIGNMENT", "png": b"\x89PNG", "svg": b"<svg"}
    for fmt, marker in expected.items():
        download = client.get(f"/api/predict/{body['token']}/{fmt}")
        assert download.status_code == 200 and marker in download.content[:4000] + download.content[-4000:]
    assert "no longer kept" in client.get("/api/predict/unknown/csv").json()["error"]
    assert client.get(f"/api/predict/{body['token']}/exe").status_code == 404


def test_structure_file_upload(client, tmp_path):
    from rdkit import Chem

    block = Chem.MolToMolBlock(Chem.MolFromSmiles("OCC"))
    answer = client.post("/api/predict", files={"file": ("ethanol.mol", block.encode())})
    assert answer.status_code == 200 and len(answer.json()["spectra"]["13C"]["peaks"]) == 2


@pytest.mark.parametrize("data, files, text", [
    ({"smiles": "C1CC("}, None, "cannot parse SMILES"),
    ({"smiles": "[U]"}, None, "element"),
    ({}, None, "give a SMILES"),
    ({"smiles": "CC", "obs_mhz": "fast"}, None, "obs_mhz"),
    ({}, {"file": ("notes.txt", b"hello")}, "give a .mol or .sdf"),
    ({}, {"file": ("broken.mol", b"hello")}, "broken.mol"),
])
def test_bad_predict_inputs_are_readable_errors(client, data, files, text):
    answer = client.post("/api/predict", data=data, files=files)
    assert 400 <= answer.status_code < 500 and text in answer.json()["error"]
    assert "/tmp" not in answer.json()["error"]


def test_bruker_2d_zip_gives_contours(client, tmp_path):
    sim = spectra.simulate([(1.2, 14.0), (4.1, 60.0)], nucleus="HSQC", snr=50, n_points=(64, 256))
    spectra.write(sim.fid, tmp_path / "hsqc", format="bruker")
    answer = client.post("/api/spectrum", files={"file": ("hsqc.zip", zipped(tmp_path / "hsqc"))})
    assert answer.status_code == 200, answer.json()
    body = answer.json()
    assert body["ndim"] == 2 and body["nucleus"] == ["13C", "1H"] and body["dataset"] == "hsqc.zip: hsqc"
    assert max(map(max, body["contours"]["positive"])) >= 1 and body["summary"]


def test_pipe_file_with_page_options(client, tmp_path):
    sim = spectra.simulate([30.0, 120.0], nucleus="13C", snr=100, n_points=4096)
    spectra.write(sim.fid, tmp_path / "c.fid", format="pipe")
    options = {"phase": "manual", "p0_deg": "0", "p1_deg": "0", "baseline": "none", "reference": "offset",
               "offset_ppm": "0.5", "lb_hz": "2"}
    answer = client.post("/api/spectrum", data=options, files={"file": ("c.fid", (tmp_path / "c.fid").read_bytes())})
    assert answer.status_code == 200, answer.json()
    steps = {s["step"]: s for s in answer.json()["steps"]}
    assert steps["phase"]["method"] == "manual" and steps["apodize"]["lb_hz"] == 2 and "baseline" not in steps
    assert answer.json()["peaks"]["note"]


def test_picked_peaks_when_the_library_has_a_picker(client, tmp_path, monkeypatch):
    from shiftnet.spectra_models.picking import pick_peaks

    monkeypatch.setattr(spectra, "pick_peaks", pick_peaks, raising=False)
    sim = spectra.simulate([30.0, 120.0], nucleus="13C", snr=200, n_points=4096)
    spectra.write(sim.fid, tmp_path / "c.fid", format="pipe")
    answer = client.post("/api/spectrum", files={"file": ("c.fid", (tmp_path / "c.fid").read_bytes())}).json()
    picked = sorted(row["shift_ppm"] for row in answer["peaks"]["rows"] if row["snr"] > 20)
    assert answer["peaks"]["available"] and picked == pytest.approx([30.0, 120.0], abs=0.1)


@pytest.mark.parametrize("name, content, text", [
    ("escape.zip", {"../x/acqus": b"x"}, "leaves the archive folder"),
    ("bomb.zip", {"zeros": b"\0" * (5 * 2**20)}, "uncompressed"),
    ("empty.zip", {"readme.txt": b"x", "other.txt": b"y"}, "no Bruker"),
    ("broken.zip", {"2/acqus": b"not jcamp", "2/fid": b"\0" * 16}, "cannot read broken.zip: 2"),
])
def test_bad_archives_are_refused(client, name, content, text):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for member, data in content.items():
            zf.writestr(member, data)
    answer = client.post("/api/spectrum", files={"file": (name, buffer.getvalue())})
    assert answer.status_code == 400 and text in answer.json()["error"], answer.json()


def test_oversized_upload_and_bad_options(client):
    answer = client.post("/api/spectrum", files={"file": ("big.zip", b"\0" * (3 * 2**20))})
    assert answer.status_code == 413 and "larger than the 2 MB limit" in answer.json()["error"]
    answer = client.post("/api/spectrum", data={"phase": "sideways"}, files={"file": ("x.dx", b"##TITLE=x")})
    assert answer.status_code == 400 and "unknown phase option" in answer.json()["error"]
    assert client.post("/api/predict", data={"smiles": "CCO"}).status_code == 200  # still serving


def test_assign_and_verify(client):
    peaks = {"peaks_13c": "14.2, 21.0, 60.4, 171.1", "peaks_1h": "1.26:3, 2.05:3, 4.12:2"}
    one = client.post("/api/assign", data={"candidates": "CCOC(C)=O", **peaks}).json()
    assert one["ranking"] is None and len(one["table"]) == 7 and one["svg"].count("atom-spot") == 7
    many = client.post("/api/assign", data={"candidates": "CCOC(C)=O\nCOC(=O)CC\nnot a smiles", **peaks}).json()
    ranks = {row["smiles"]: row["rank"] for row in many["ranking"]}
    assert ranks["CCOC(C)=O"] == 1 and ranks["not a smiles"] is None and many["no_fit"] is False
    bad = client.post("/api/assign", data={"candidates": "CCO", "peaks_13c": "12x"})
    assert bad.status_code == 400 and "'12x'" in bad.json()["error"]
    none = client.post("/api/assign", data={"candidates": "CCO"})
    assert "at least one peak list" in none.json()["error"]


def test_time_limit_gives_a_message():
    with TestClient(create_app(Limits(timeout_s=0.001))) as slow:
        answer = slow.post("/api/assign", data={"candidates": "CCCCCCCCCCCCCCCCCCCC", "peaks_13c": "14 22 30"})
    assert answer.status_code == 504 and "longer than 0.001 s" in answer.json()["error"]


def test_page_and_plotly_are_served_locally(client):
    page = client.get("/").text
    assert '<option value="CDCl3">CDCl3</option>' in page and "https://" not in page
    script = client.get("/vendor/plotly.min.js")
    assert script.status_code == 200 and len(script.content) > 1_000_000


def test_assign_from_uploaded_raw_experiments(client, raw):
    experiments = raw / "lucyng_ibuprofen"
    files = {"data_13c": ("c13.zip", zipped(experiments / "2")), "data_1h": ("h1.zip", zipped(experiments / "1"))}
    candidates = "CC(C)Cc1ccc(C(C)C(=O)O)cc1\nCC(C)Cc1cccc(C(C)C(=O)O)c1\nCCCCc1ccc(C(C)C(=O)O)cc1"
    answer = client.post("/api/assign", data={"candidates": candidates}, files=files)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    best = next(row for row in body["ranking"] if row["rank"] == 1)
    assert best["smiles"] == "CC(C)Cc1ccc(C(C)C(=O)O)cc1" and best["probability"] > 0.9
    assert body["solvent"] == "CDCl3" and len(body["table"]) == 24
    broken = client.post("/api/assign", data={"candidates": "CCO"},
                         files={"data_13c": ("x.zip", zipped(experiments / "2" / "pdata"))})
    assert broken.status_code == 400 and "error" in broken.json()
