"""Safe handling of uploaded archives and names (standard library only, no web extra needed)."""

from __future__ import annotations

import stat
import zipfile
from pathlib import Path

import pytest

from shiftnet.web.uploads import (ArchiveLimits, UploadError, extract_zip, find_experiment, spectrum_path,
                                  upload_name)


def make_zip(path: Path, members: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return path


def test_extracts_and_finds_the_experiment_folder(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"ibu/2/acqus": b"##x", "ibu/2/fid": b"\0" * 8, "ibu/2/pdata/1/procs": b""})
    root = extract_zip(archive, tmp_path / "out")
    assert (root / "ibu" / "2" / "fid").read_bytes() == b"\0" * 8
    assert find_experiment(root) == root / "ibu" / "2"
    assert spectrum_path(archive, "a.zip", tmp_path / "w") == tmp_path / "w" / "archive" / "ibu" / "2"


def test_single_file_in_an_archive_and_plain_files(tmp_path):
    root = extract_zip(make_zip(tmp_path / "a.zip", {"x/spec.dx": b"##TITLE=x"}), tmp_path / "out")
    assert find_experiment(root) == root / "x" / "spec.dx"
    plain = tmp_path / "upload.dx"
    plain.write_text("##TITLE=x")
    assert spectrum_path(plain, "spec.dx", tmp_path) == plain
    with pytest.raises(UploadError, match="no Bruker"):
        find_experiment(extract_zip(make_zip(tmp_path / "b.zip", {"a": b"1", "b": b"2"}), tmp_path / "out2"))


@pytest.mark.parametrize("name, reason", [("../evil", "leaves the archive"), ("a/../../evil", "leaves the archive"),
                                          ("/etc/evil", "absolute path"), ("C:/evil", "absolute path"),
                                          ("..\\evil", "leaves the archive")])
def test_path_escapes_are_refused_before_anything_is_written(tmp_path, name, reason):
    archive = make_zip(tmp_path / "a.zip", {"ok/acqus": b"x", name: b"x"})
    with pytest.raises(UploadError, match=reason):
        extract_zip(archive, tmp_path / "out")
    assert not (tmp_path / "out").exists() and not (tmp_path / "evil").exists()


def test_symlinks_are_refused(tmp_path):
    archive = tmp_path / "a.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        info = zipfile.ZipInfo("link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    with pytest.raises(UploadError, match="symbolic link"):
        extract_zip(archive, tmp_path / "out")


def test_member_count_and_size_are_bounded(tmp_path):
    many = make_zip(tmp_path / "many.zip", {f"f{i}": b"x" for i in range(11)})
    with pytest.raises(UploadError, match="11 members"):
        extract_zip(many, tmp_path / "out", ArchiveLimits(max_files=10))
    bomb = make_zip(tmp_path / "bomb.zip", {"zeros": b"\0" * 100_000})
    assert bomb.stat().st_size < 1000
    with pytest.raises(UploadError, match="uncompressed"):
        extract_zip(bomb, tmp_path / "out", ArchiveLimits(max_bytes=50_000))


def test_a_lying_size_header_is_a_damaged_archive(tmp_path):
    archive = make_zip(tmp_path / "a.zip", {"zeros": b"\0" * 100_000})
    data = bytearray(archive.read_bytes())
    for offset in (data.find(b"PK\x03\x04") + 22, data.find(b"PK\x01\x02") + 24):  # local + central sizes
        data[offset:offset + 4] = (10).to_bytes(4, "little")
    archive.write_bytes(bytes(data))
    with pytest.raises(UploadError, match="damaged"):
        extract_zip(archive, tmp_path / "out", ArchiveLimits(max_bytes=50_000))
    assert (tmp_path / "out" / "zeros").stat().st_size <= 10


def test_not_a_zip_and_upload_names(tmp_path):
    fake = tmp_path / "upload.zip"
    fake.write_bytes(b"PK but not really")
    with pytest.raises(UploadError, match="not a readable zip"):
        spectrum_path(fake, "data.zip", tmp_path)
    assert upload_name("../../etc/x.SDF") == "upload.sdf"
    assert upload_name("C:\\a\\b.mol") == "upload.mol"
    assert upload_name("x.exe") == "upload"
    assert upload_name(None) == "upload"
