"""Write time-domain data as a Bruker experiment directory or an NMRPipe FID (through nmrglue).

``write(fid, path, format=...)`` stores what :func:`shiftnet.spectra.read` gives back: the same
data (Bruker: float64 points; NMRPipe: float32), spectral width, observe frequency, carrier,
nuclei, F1 quadrature mode and group delay. The data are converted from the FID convention of
:mod:`.fourier` to the vendor's own (the step readers undo), so TopSpin, NMRPipe and NMRium
show the spectrum the right way round.
"""

from __future__ import annotations

from pathlib import Path

import nmrglue as ng
import numpy as np

from .core import FID
from .io import to_convention

__all__ = ["write", "FORMATS"]

FORMATS = ("bruker", "pipe")
#: Canonical F1 quadrature mode -> Bruker FnMODE.
_FNMODE = {"QF": 1, "QSEQ": 2, "TPPI": 3, "States": 4, "States-TPPI": 5, "Echo-Antiecho": 6}
#: Canonical F1 quadrature mode -> nmrglue universal-dictionary encoding (NMRPipe FD2DPHASE).
_PIPE_ENCODING = {"QF": "magnitude", "States": "states"}
#: Complex float64 points per 1024-byte block: rows of a Bruker ser file start on such blocks.
_BRUKER_BLOCK = 1024 // 16


def write(fid: FID, path: str | Path, format: str = "bruker", overwrite: bool = False) -> Path:
    """Write a 1D or 2D FID to ``path`` in a vendor format.

    Parameters
    ----------
    fid : time-domain data in the FID convention (e.g. ``spectra.simulate(...).fid``).
    path : Bruker: the experiment directory to create (``fid`` or ``ser`` and ``acqus`` go
        inside); NMRPipe: the file to write.
    format : ``"bruker"`` or ``"pipe"``.
    overwrite : replace an existing output; it may never be the data set ``fid`` was read from.

    Returns
    -------
    Path : the directory (Bruker) or file (NMRPipe) written.

    Raises
    ------
    ValueError : unknown format, more than two dimensions, a quadrature mode the format
        cannot store (NMRPipe: QF and States only), or ``path`` is ``fid.source``.
    FileExistsError : ``path`` exists and ``overwrite`` is False.
    """
    path = Path(path)
    if format not in FORMATS:
        raise ValueError(f"unknown format {format!r}; use one of {', '.join(FORMATS)}")
    if fid.ndim not in (1, 2):
        raise ValueError(f"write() handles 1D and 2D data, got {fid.ndim} dimensions")
    if fid.source is not None and path.resolve() == Path(fid.source).resolve():
        raise ValueError(f"{path} is the data set this FID was read from; write to another path")
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite=True to replace it")
    if format == "bruker":
        _write_bruker(fid, path)
    else:
        _write_pipe(fid, path)
    return path


def _axis_udic(fid: FID, axis: int, size: int, encoding: str) -> dict:
    """One axis of nmrglue's universal dictionary (carrier in Hz, as nmrglue expects)."""
    return {"size": size, "complex": True, "encoding": encoding, "sw": float(fid.sw_hz[axis]),
            "obs": float(fid.obs_mhz[axis]), "car": float(fid.carrier_ppm[axis] * fid.obs_mhz[axis]),
            "label": str(fid.nucleus[axis]), "time": True, "freq": False}


def _udic(fid: FID, f1_encoding: str | None) -> dict:
    udic = {"ndim": fid.ndim}
    if fid.ndim == 2:
        udic[0] = _axis_udic(fid, 0, fid.data.shape[0], f1_encoding)
    udic[fid.ndim - 1] = _axis_udic(fid, -1, fid.data.shape[-1], "direct")
    return udic


def _acqus(fid: FID, axis: int, base: dict) -> dict:
    """Bruker acquisition parameters of one axis; ``O1`` is the carrier in Hz from ``BF1``."""
    return {**base, "SW_h": float(fid.sw_hz[axis]), "BF1": float(fid.obs_mhz[axis]),
            "SFO1": float(fid.obs_mhz[axis] * (1 + fid.carrier_ppm[axis] * 1e-6)),
            "O1": float(fid.carrier_ppm[axis] * fid.obs_mhz[axis]), "NUC1": str(fid.nucleus[axis]),
            "SW": float(fid.sw_hz[axis] / fid.obs_mhz[axis])}


def _write_bruker(fid: FID, path: Path) -> None:
    quadrature = fid.quadrature_f1 if fid.ndim == 2 else None
    if quadrature is not None and quadrature not in _FNMODE:
        raise ValueError(f"Bruker data cannot store F1 quadrature {quadrature!r}")
    data = to_convention(fid.data, "bruker", quadrature)
    n = data.shape[-1]
    dic = ng.bruker.create_dic(_udic(fid, "states" if quadrature else None))
    dic["acqus"] = _acqus(fid, -1, dic["acqus"])
    dic["acqus"].update(TD=2 * n, DTYPA=2, BYTORDA=0, DIGMOD=1 if fid.group_delay > 0 else 0,
                        GRPDLY=float(fid.group_delay) if fid.group_delay > 0 else -1.0,
                        PULPROG=str(fid.meta.get("pulse_program") or ""),
                        SOLVENT=str(fid.meta.get("solvent") or ""))
    if fid.ndim == 2:
        dic["acqu2s"] = _acqus(fid, 0, dic["acqu2s"])
        dic["acqu2s"].update(TD=data.shape[0], FnMODE=_FNMODE[quadrature])
        padded = -(-n // _BRUKER_BLOCK) * _BRUKER_BLOCK  # ser rows start on 1024-byte blocks
        data = np.pad(data, [(0, 0), (0, padded - n)])
    path.mkdir(parents=True, exist_ok=True)
    ng.bruker.write(str(path), dic, data, overwrite=True, write_prog=False)


def _write_pipe(fid: FID, path: Path) -> None:
    encoding = None
    if fid.ndim == 2:
        if fid.quadrature_f1 not in _PIPE_ENCODING:
            raise ValueError(f"NMRPipe files store QF or States F1 data, not {fid.quadrature_f1!r}")
        encoding = _PIPE_ENCODING[fid.quadrature_f1]
    dic = ng.pipe.create_dic(_udic(fid, encoding))
    data = to_convention(fid.data, "pipe", fid.quadrature_f1).astype(np.complex64)
    path.parent.mkdir(parents=True, exist_ok=True)
    ng.pipe.write(str(path), dic, data, overwrite=True)
