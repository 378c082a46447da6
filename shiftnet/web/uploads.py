"""Uploaded files -> a private temporary folder, safely.

Nothing here takes a server path from the browser: every file is written under a fresh
temporary directory with a name chosen here. Zip archives are checked member by member before
anything is written (no absolute paths, no ``..``, no symlinks, bounded member count and total
declared size); :mod:`zipfile` never yields more than a member's declared size, and a member
whose data disagree with its header (size, CRC) is a damaged archive.
"""

from __future__ import annotations

import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

#: Structure files accepted on the predict view.
STRUCTURE_SUFFIXES = (".mol", ".sdf", ".sd")
#: Suffixes an upload keeps on the server (structure readers go by the suffix).
SUFFIXES = STRUCTURE_SUFFIXES + (".zip", ".fid", ".ft", ".ft1", ".ft2", ".dat", ".dx", ".jdx", ".jcamp")


class UploadError(ValueError):
    """An upload that is refused; the message is meant for the page."""


@dataclass(frozen=True)
class ArchiveLimits:
    """Bounds for an uploaded zip archive: ``max_files`` members, ``max_bytes`` uncompressed."""

    max_files: int = 2000
    max_bytes: int = 200 * 1024 * 1024


def _member_path(info: zipfile.ZipInfo) -> PurePosixPath:
    """The member's relative path; UploadError for absolute paths, ``..`` or symlinks."""
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if name.startswith("/") or (len(name) > 1 and name[1] == ":") or path.is_absolute():
        raise UploadError(f"archive refused: absolute path {info.filename!r}")
    if ".." in path.parts:
        raise UploadError(f"archive refused: path {info.filename!r} leaves the archive folder")
    if stat.S_ISLNK(info.external_attr >> 16):
        raise UploadError(f"archive refused: {info.filename!r} is a symbolic link")
    return path


def extract_zip(archive: Path, dest: Path, limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """Extract ``archive`` into the empty folder ``dest`` after checking every member.

    Returns ``dest``. Raises :class:`UploadError` for a file that is not a zip archive, a member
    with an absolute path, ``..`` or a symlink, more than ``limits.max_files`` members, more
    than ``limits.max_bytes`` declared uncompressed bytes, or a damaged / encrypted member.
    """
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise UploadError(f"not a readable zip archive ({exc})") from None
    with zf:
        members = [(info, _member_path(info)) for info in zf.infolist()]
        if len(members) > limits.max_files:
            raise UploadError(f"archive refused: {len(members)} members (limit {limits.max_files})")
        if sum(info.file_size for info, _ in members) > limits.max_bytes:
            raise UploadError(f"archive refused: more than {limits.max_bytes / 2**20:g} MB uncompressed")
        for info, path in members:
            target = dest.joinpath(*path.parts)
            if info.is_dir():
                target.mkdir(parents=True, exist_ok=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as src, open(target, "wb") as out:
                    shutil.copyfileobj(src, out, 1 << 20)
            except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError) as exc:
                raise UploadError(f"damaged or unsupported archive member {info.filename!r} ({exc})") from None
    return dest


def find_experiment(root: Path) -> Path:
    """The data set inside an extracted archive: the shallowest folder holding Bruker
    (``acqus``) or Varian (``procpar``) data, else the only file. UploadError when none."""
    for marker in ("acqus", "procpar"):
        found = sorted(root.rglob(marker), key=lambda p: (len(p.parts), str(p)))
        if found:
            return found[0].parent
    files = [p for p in root.rglob("*") if p.is_file() and not p.name.startswith(".")]
    if len(files) == 1:
        return files[0]
    raise UploadError("the archive holds no Bruker (acqus) or Varian (procpar) experiment folder "
                      "and not exactly one NMRPipe / JCAMP-DX file")


def spectrum_path(upload: Path, filename: str, workdir: Path, limits: ArchiveLimits = ArchiveLimits()) -> Path:
    """The readable data set of an uploaded spectrum saved at ``upload``: a zip is extracted
    under ``workdir`` and searched (:func:`find_experiment`); any other file is used as is."""
    if zipfile.is_zipfile(upload):
        return find_experiment(extract_zip(upload, workdir / "archive", limits))
    if filename.lower().endswith(".zip"):
        raise UploadError(f"{filename}: not a readable zip archive")
    return upload


def upload_name(filename: str | None) -> str:
    """A safe local file name for an upload: ``upload`` plus the original suffix when it is one
    of :data:`SUFFIXES` (the browser's name is never used as a path)."""
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    return "upload" + (suffix if suffix in SUFFIXES else "")
