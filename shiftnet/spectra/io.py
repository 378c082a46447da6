"""Read spectrometer data (Bruker, Varian/Agilent, NMRPipe, JCAMP-DX) through nmrglue.

``read(path)`` returns the complex time-domain data as an :class:`~shiftnet.spectra.core.FID`;
``read_processed(path)`` returns a vendor's processed spectrum as a
:class:`~shiftnet.spectra.core.Spectrum`. Every failure to read raises
:class:`SpectrumReadError`, whose message names the file and the reason.

Conventions of the returned :class:`FID`
----------------------------------------
* ``obs_mhz`` is the frequency of 0 ppm (Bruker ``BF1``, Varian ``reffrq``), so that
  ``ppm = Hz / obs_mhz``; ``carrier_ppm`` is the carrier on that (unreferenced) scale.
* The data follow the one FID convention of :mod:`.fourier`, whatever the vendor: Varian
  data are conjugated, and the F1 rows of Bruker and Varian phase-sensitive 2D data are
  brought to the same sense of rotation (sine rows negated, echo/anti-echo rows swapped).
* The last axis is the direct dimension. A 2D FID holds two rows per t1 increment for
  States-type and echo/anti-echo data, one for QF (gradient-selected, magnitude mode);
  ``fid.quadrature_f1`` names the mode (canonical spelling), ``fid.group_delay`` the
  digital-filter delay in points (0 when there is none).
* ``meta`` always has ``format``, ``dic`` (nmrglue's parameter dictionary), ``pulse_program``,
  ``solvent`` (canonical name or None); Bruker, Varian and JCAMP-DX FIDs add ``solvent_raw``
  (as the file spells it) and, for Bruker, ``vendor_offset_ppm`` (TopSpin's referencing per
  axis, when ``pdata/1`` exists); Bruker 2D data add ``fntype`` and, for NUS data, ``nuslist``
  (see :func:`.nus.read_nuslist`) and ``nus_td`` (Bruker ``NusTD`` of F1, the full TD).
"""

from __future__ import annotations

import struct
import warnings
from pathlib import Path

import nmrglue as ng
import numpy as np

from .core import FID, PPMScale, Spectrum
from .fourier import reverse_rotation
from .nus import read_nuslist
from ..solvents import canonical_name

__all__ = ["SpectrumReadError", "read", "read_processed", "detect_format"]

#: Bruker FnMODE (acqu2s) -> quadrature mode of the indirect dimension.
_BRUKER_FNMODE = {1: "QF", 2: "QSEQ", 3: "TPPI", 4: "States", 5: "States-TPPI", 6: "Echo-Antiecho"}
#: Bruker MC2 (proc2s; used when FnMODE is 0, i.e. undefined) -> quadrature mode.
_BRUKER_MC2 = {0: "QF", 1: "QSEQ", 2: "TPPI", 3: "States", 4: "States-TPPI", 5: "Echo-Antiecho"}
#: NMRPipe FD2DPHASE -> quadrature mode of the indirect dimension.
_PIPE_2DPHASE = {0: "QF", 1: "TPPI", 2: "States"}


class SpectrumReadError(ValueError):
    """A spectrum file or directory cannot be read; the message names the path and why."""

    def __init__(self, path: str | Path, reason: str) -> None:
        self.path = Path(path)
        self.reason = reason
        super().__init__(f"cannot read spectrum {self.path}: {reason}")


# ----------------------------------------------------------------------------- detection


def detect_format(path: str | Path) -> str:
    """Name the format of ``path``: ``"bruker"``, ``"bruker-pdata"``, ``"varian"``, ``"pipe"``
    or ``"jcampdx"``.

    A Bruker or Varian data file (``fid``, ``ser``, ``acqus``, ``procpar``) stands for its
    directory. Raises :class:`SpectrumReadError` for a missing path or an unknown format.
    """
    path = Path(path)
    if not path.exists():
        raise SpectrumReadError(path, "no such file or directory")
    if path.is_file() and path.name in ("fid", "ser", "acqus", "acqu", "procpar"):
        path = path.parent
    if path.is_dir():
        names = {p.name for p in path.iterdir()}
        if "acqus" in names:
            return "bruker"
        if "procpar" in names:
            return "varian"
        if "procs" in names:
            return "bruker-pdata"
        if not names:
            raise SpectrumReadError(path, "empty directory")
        raise SpectrumReadError(path, "directory holds neither Bruker (acqus) nor Varian (procpar) data")
    head = path.read_bytes()[:2048]
    if not head:
        raise SpectrumReadError(path, "empty file")
    if head.lstrip()[:2] == b"##":
        return "jcampdx"
    if len(head) >= 12 and _is_pipe_header(head):
        return "pipe"
    raise SpectrumReadError(path, "unrecognised format (not Bruker, Varian, NMRPipe or JCAMP-DX)")


def _is_pipe_header(head: bytes) -> bool:
    """NMRPipe files carry the float 2.345 as the third header word (either byte order)."""
    word = head[8:12]
    return any(abs(struct.unpack(order + "f", word)[0] - 2.345) < 1e-4 for order in "<>")


def _data_dir(path: Path) -> Path:
    """The directory of a Bruker/Varian data set given the directory or one of its files."""
    return path.parent if path.is_file() else path


# ----------------------------------------------------------------------------- public API


def read(path: str | Path) -> FID:
    """Read time-domain data (Bruker expno dir, Varian ``.fid`` dir, NMRPipe FID, JCAMP-DX FID).

    Parameters
    ----------
    path : data directory or file; the format is detected from its contents.

    Returns
    -------
    FID : complex data, shape ``(n,)`` or ``(n_rows_f1, n_f2)``, with per-axis parameters
        and ``meta`` as described in the module docstring.

    Raises
    ------
    SpectrumReadError : missing, empty, truncated or unrecognised data.
    """
    path = Path(path)
    fmt = detect_format(path)
    readers = {"bruker": _read_bruker, "varian": _read_varian, "pipe": _read_pipe, "jcampdx": _read_jcampdx}
    if fmt not in readers:
        raise SpectrumReadError(path, "this is processed Bruker data (pdata); use read_processed()")
    try:
        with warnings.catch_warnings():  # nmrglue's shape warnings become the errors below
            warnings.simplefilter("ignore")
            fid = readers[fmt](path)
    except SpectrumReadError:
        raise
    except Exception as exc:  # nmrglue raises many types for broken files
        raise SpectrumReadError(path, f"{type(exc).__name__}: {exc}") from exc
    if fid.data.size == 0:
        raise SpectrumReadError(path, "no data points")
    bad = int(np.count_nonzero(~np.isfinite(fid.data)))
    if bad:
        raise SpectrumReadError(path, f"{bad} of {fid.data.size} data points are NaN or infinite")
    return fid


def read_processed(path: str | Path) -> Spectrum:
    """Read a vendor-processed spectrum: Bruker ``pdata/N`` (1r/1i or 2rr) or a JCAMP-DX spectrum.

    A Bruker expno directory stands for its ``pdata/1``. The ppm axis comes from the processing
    parameters (Bruker ``OFFSET`` = ppm of the first point, ``SW_p`` in Hz, ``SF`` in MHz).

    Raises
    ------
    SpectrumReadError : missing, truncated or unrecognised data.
    """
    path = Path(path)
    fmt = detect_format(path)
    try:
        if fmt == "bruker":
            return _read_bruker_pdata(path / "pdata" / "1" if path.is_dir() else path.parent / "pdata" / "1")
        if fmt == "bruker-pdata":
            return _read_bruker_pdata(path)
        if fmt == "jcampdx":
            return _read_jcampdx_spectrum(path)
    except SpectrumReadError:
        raise
    except Exception as exc:
        raise SpectrumReadError(path, f"{type(exc).__name__}: {exc}") from exc
    raise SpectrumReadError(path, f"read_processed() reads Bruker pdata and JCAMP-DX spectra, not {fmt}")


# ----------------------------------------------------------------------------- convention

#: Per format: (direct, indirect) dimension rotates against the convention of :mod:`.fourier`.
REVERSED_ROTATION = {"bruker": (False, True), "varian": (True, True), "pipe": (False, False),
                     "jcampdx": (False, False)}


def to_convention(data: np.ndarray, fmt: str, quadrature: str | None) -> np.ndarray:
    """Bring vendor time-domain data to the FID convention (and back: the step is its own inverse).

    Parameters
    ----------
    data : complex FID as nmrglue reads it, shape ``(n,)`` or ``(rows, n2)``.
    fmt : ``"bruker"``, ``"varian"``, ``"pipe"`` or ``"jcampdx"``.
    quadrature : canonical F1 quadrature mode of 2D data, None for 1D. QF rows keep the
        echo-type F1 modulation the convention defines for them.

    Returns
    -------
    complex128 array of the same shape.
    """
    direct, indirect = REVERSED_ROTATION[fmt]
    indirect = indirect and quadrature in ("States", "States-TPPI", "Echo-Antiecho")
    return reverse_rotation(np.asarray(data, dtype=complex), direct, indirect, quadrature)


# ----------------------------------------------------------------------------- Bruker


def bruker_group_delay(acqus: dict) -> float:
    """Digital-filter group delay in (complex) points from Bruker acquisition parameters.

    ``GRPDLY`` when set, else nmrglue's DECIM/DSPFVS table; 0 for analogue data (``DIGMOD=0``).
    """
    if int(acqus.get("DIGMOD", 1)) == 0:
        return 0.0
    grpdly = float(acqus.get("GRPDLY", -1))
    if grpdly > 0:
        return grpdly
    dspfvs, decim = int(acqus.get("DSPFVS", 0)), int(acqus.get("DECIM", 1))
    table = ng.fileio.bruker.bruker_dsp_table
    if dspfvs >= 14 or dspfvs not in table:
        return 0.0
    return float(table[dspfvs].get(decim, 0.0))


def _check_bruker_size(path: Path, dic: dict) -> None:
    """Raise when the fid/ser file holds fewer bytes than TD (x TD of F1) announces.

    Rows of a ser file are padded to multiples of 1024 bytes.
    """
    acqus = dic["acqus"]
    rows = int(dic["acqu2s"]["TD"]) if "acqu2s" in dic else 1
    binary = path / ("ser" if rows > 1 else "fid")
    if not binary.exists():
        raise SpectrumReadError(binary, "missing Bruker binary file")
    row_bytes = int(acqus["TD"]) * (8 if int(acqus.get("DTYPA", 0)) == 2 else 4)
    if rows > 1:
        row_bytes = -(-row_bytes // 1024) * 1024
    expected, found = rows * row_bytes, binary.stat().st_size
    if found < expected:
        raise SpectrumReadError(binary, f"truncated: {found} bytes, the parameters need {expected}")


def _check_bruker_parameters(path: Path, dic: dict) -> None:
    """Raise when a parameter the data depend on is missing or absurd (TD, SW_h, BF1, SFO1)."""
    for name, axis in (("acqus", dic.get("acqus")), ("acqu2s", dic.get("acqu2s"))):
        if axis is None:
            if name == "acqus":
                raise SpectrumReadError(path / "acqus", "no parameters (empty or unreadable acqus)")
            continue
        for key in ("TD", "SW_h", "BF1", "SFO1"):
            value = axis.get(key)
            try:
                number = float(value)
            except (TypeError, ValueError):
                raise SpectrumReadError(path / name, f"{key} is missing or not a number ({value!r})") from None
            if not np.isfinite(number) or number <= 0:
                raise SpectrumReadError(path / name, f"{key} = {value} is not a usable value (must be > 0)")


def _decay(row: np.ndarray) -> float:
    """RMS of the first sixteenth of a FID over that of the last sixteenth (a real FID decays)."""
    n = max(row.size // 16, 8)
    return float(np.sqrt(np.mean(np.abs(row[:n]) ** 2) / (np.mean(np.abs(row[-n:]) ** 2) + 1e-300)))


def _check_byte_order(path: Path, data: np.ndarray, acqus: dict) -> None:
    """Raise when the data only look like a decaying FID in the other byte order (BYTORDA wrong)."""
    row = data if data.ndim == 1 else data[0]
    pairs = np.stack([row.real, row.imag], axis=-1)
    dtype = np.float64 if int(acqus.get("DTYPA", 0)) == 2 else np.int32
    with np.errstate(all="ignore"):
        swapped = pairs.astype(dtype).byteswap().astype(float)
    if _decay(row) < 1.5 and _decay(swapped[..., 0] + 1j * swapped[..., 1]) > 10:
        raise SpectrumReadError(path / "acqus", f"byte order BYTORDA = {acqus.get('BYTORDA')} does not fit the "
                                               "data: they decay like a FID only in the other byte order")


def _read_bruker(path: Path) -> FID:
    path = _data_dir(path)
    params = ng.bruker.read_acqus_file(str(path))
    _check_bruker_parameters(path, params)
    _check_bruker_size(path, params)
    dic, data = ng.bruker.read(str(path))
    acqus = dic["acqus"]
    _check_byte_order(path, data, acqus)
    data = data[..., : int(acqus["TD"]) // 2]  # drop the zero padding of ser rows
    axes = [dic["acqus"]]
    if data.ndim == 2:
        if "acqu2s" not in dic:
            raise SpectrumReadError(path, "2D data without acqu2s")
        axes.insert(0, dic["acqu2s"])
    elif data.ndim > 2:
        raise SpectrumReadError(path, f"{data.ndim}D data are not supported")
    meta = {
        "format": "bruker",
        "dic": dic,
        "decim": acqus.get("DECIM"),
        "dspfvs": acqus.get("DSPFVS"),
        "pulse_program": str(acqus.get("PULPROG", "")),
        "solvent": canonical_name(str(acqus.get("SOLVENT", ""))),
        "solvent_raw": str(acqus.get("SOLVENT", "")),
    }
    offsets = _bruker_vendor_offsets(path, axes)
    if offsets is not None:
        meta["vendor_offset_ppm"] = offsets
    quadrature = None
    if data.ndim == 2:
        quadrature = _bruker_quadrature(path, dic["acqu2s"])
        meta["fntype"] = int(acqus.get("FnTYPE", 0))
        if (path / "nuslist").exists():
            meta["nuslist"] = read_nuslist(path / "nuslist")
            meta["nus_td"] = int(dic["acqu2s"].get("NusTD", 0))
    return FID(
        data=to_convention(data, "bruker", quadrature),
        quadrature_f1=quadrature,
        group_delay=bruker_group_delay(acqus),
        nucleus=tuple(str(a["NUC1"]) for a in axes),
        obs_mhz=tuple(float(a["BF1"]) for a in axes),
        sw_hz=tuple(float(a["SW_h"]) for a in axes),
        carrier_ppm=tuple(float(a["O1"]) / float(a["BF1"]) for a in axes),
        source=path,
        meta=meta,
    )


def _bruker_vendor_offsets(path: Path, axes: list[dict]) -> tuple[float, ...] | None:
    """TopSpin's referencing per axis as a ppm shift of the BF1 scale, ``-(SF - BF1) / BF1``,
    from ``pdata/1`` (procs for the direct axis, proc2s for F1); None without processed data."""
    pdir = path / "pdata" / "1"
    files = ["procs"] if len(axes) == 1 else ["proc2s", "procs"]
    if not all((pdir / f).exists() for f in files):
        return None
    sfs = [float(ng.bruker.read_jcamp(str(pdir / f))["SF"]) for f in files]
    return tuple(-(sf - float(a["BF1"])) / float(a["BF1"]) * 1e6 for sf, a in zip(sfs, axes))


def _bruker_quadrature(path: Path, acqu2s: dict) -> str:
    """Quadrature mode of F1: FnMODE from acqu2s, else MC2 from pdata/1/proc2s, else QF."""
    fnmode = int(acqu2s.get("FnMODE", 0))
    if fnmode in _BRUKER_FNMODE:
        return _BRUKER_FNMODE[fnmode]
    proc2s = path / "pdata" / "1" / "proc2s"
    if proc2s.exists():
        return _BRUKER_MC2.get(int(ng.bruker.read_jcamp(str(proc2s)).get("MC2", 0)), "QF")
    return "QF"


def _read_bruker_pdata(pdir: Path) -> Spectrum:
    if not (pdir / "procs").exists():
        raise SpectrumReadError(pdir, "no procs file (not a Bruker pdata directory)")
    names = {p.name for p in pdir.iterdir()}
    if not ({"1r", "2rr"} & names):
        raise SpectrumReadError(pdir, "no processed data (1r or 2rr)")
    dic, data = ng.bruker.read_pdata(str(pdir), all_components=False, scale_data=True)
    data = np.asarray(data, dtype=float)
    procs = [dic["procs"]] if data.ndim == 1 else [dic["proc2s"], dic["procs"]]
    scales = [_bruker_proc_scale(p, n) for p, n in zip(procs, data.shape)]
    expno = pdir.parent.parent
    acqus = ng.bruker.read_acqus_file(str(expno)) if (expno / "acqus").exists() else {}
    imag = None
    if data.ndim == 1 and "1i" in names:
        imag = np.asarray(ng.bruker.read_pdata(str(pdir), bin_files=["1i"], scale_data=True)[1], dtype=float)
    meta = {"format": "bruker-pdata", "dic": dic,
            "solvent": canonical_name(str(acqus.get("acqus", {}).get("SOLVENT", "")))}
    ppm = scales[0].ppm_axis() if data.ndim == 1 else tuple(s.ppm_axis() for s in scales)
    nuclei = _bruker_pdata_nuclei(acqus, data.ndim)
    return Spectrum(data=data, ppm=ppm, nucleus=nuclei[0] if data.ndim == 1 else nuclei,
                    obs_mhz=scales[0].obs_mhz if data.ndim == 1 else tuple(s.obs_mhz for s in scales),
                    source=pdir, imag=imag, meta=meta)


def _bruker_pdata_nuclei(acqus: dict, ndim: int) -> tuple[str, ...]:
    names = ["acqus"] if ndim == 1 else ["acqu2s", "acqus"]
    return tuple(str(acqus.get(n, {}).get("NUC1", "unknown")) for n in names)


def _bruker_proc_scale(procs: dict, size: int) -> PPMScale:
    """PPMScale from Bruker processing parameters (OFFSET ppm of point 0, SW_p Hz, SF MHz)."""
    sf, sw_hz, offset = float(procs["SF"]), float(procs["SW_p"]), float(procs["OFFSET"])
    return PPMScale(size=size, sw_hz=sw_hz, obs_mhz=sf, carrier_ppm=offset - sw_hz / sf / 2.0)


# ----------------------------------------------------------------------------- Varian


def _varian_value(procpar: dict, name: str, default: str | None = None) -> str:
    if name not in procpar:
        if default is None:
            raise KeyError(f"procpar has no {name!r}")
        return default
    return str(procpar[name]["values"][0])


def _varian_nucleus(tn: str) -> str:
    """Varian 'C13' -> '13C'."""
    letters = "".join(c for c in tn if c.isalpha())
    digits = "".join(c for c in tn if c.isdigit())
    return f"{digits}{letters}" if digits else tn


def _read_varian(path: Path) -> FID:
    path = _data_dir(path)
    if not (path / "fid").exists():
        raise SpectrumReadError(path, "Varian directory without a fid file")
    dic, data = ng.varian.read(str(path))
    p = dic["procpar"]
    npoints = int(float(_varian_value(p, "np"))) // 2
    if data.shape[-1] != npoints:
        raise SpectrumReadError(path / "fid", f"truncated: {data.shape[-1]} complex points per FID, np says {npoints}")
    obs = float(_varian_value(p, "reffrq", _varian_value(p, "sfrq")))
    sw = float(_varian_value(p, "sw"))
    carrier_hz = float(_varian_value(p, "rfp", "0")) - float(_varian_value(p, "rfl", "0")) + sw / 2.0
    nucleus, obs_mhz, sw_hz, carrier = [_varian_nucleus(_varian_value(p, "tn"))], [obs], [sw], [carrier_hz / obs]
    quadrature = None
    meta = {"format": "varian", "dic": dic,
            "pulse_program": _varian_value(p, "seqfil", ""),
            "solvent": canonical_name(_varian_value(p, "solvent", "")), "solvent_raw": _varian_value(p, "solvent", "")}
    if data.ndim == 2:
        ni = int(float(_varian_value(p, "ni", "0")))
        if ni == 0 or data.shape[0] not in (ni, 2 * ni):
            raise SpectrumReadError(path, f"2D data with {data.shape[0]} rows does not match ni={ni}")
        quadrature = "States" if data.shape[0] == 2 * ni else "QF"
        hetero = any(k in meta["pulse_program"].upper() for k in ("HSQC", "HMQC", "HMBC"))
        tn1 = _varian_value(p, "dn") if hetero else _varian_value(p, "tn")
        obs1 = float(_varian_value(p, "reffrq1", _varian_value(p, "dfrq" if hetero else "sfrq")))
        sw1 = float(_varian_value(p, "sw1"))
        car1 = float(_varian_value(p, "rfp1", "0")) - float(_varian_value(p, "rfl1", "0")) + sw1 / 2.0
        nucleus.insert(0, _varian_nucleus(tn1))
        obs_mhz.insert(0, obs1)
        sw_hz.insert(0, sw1)
        carrier.insert(0, car1 / obs1)
    return FID(data=to_convention(data, "varian", quadrature), nucleus=tuple(nucleus), obs_mhz=tuple(obs_mhz),
               sw_hz=tuple(sw_hz), carrier_ppm=tuple(carrier), source=path, meta=meta, quadrature_f1=quadrature)


# ----------------------------------------------------------------------------- NMRPipe


def _read_pipe(path: Path) -> FID:
    dic, data = ng.pipe.read(str(path))
    ndim = int(dic["FDDIMCOUNT"])
    if ndim > 2:
        raise SpectrumReadError(path, f"{ndim}D NMRPipe data are not supported here")
    values = int(dic["FDSIZE"]) * (int(dic["FDSPECNUM"]) if ndim == 2 else 1) * (1 if dic["FDF2QUADFLAG"] else 2)
    expected = 4 * (512 + values)
    if path.stat().st_size < expected or data.ndim != ndim:
        raise SpectrumReadError(path, f"truncated: {path.stat().st_size} bytes, the header needs {expected}")
    dims = ["F2"] if ndim == 1 else ["F1", "F2"]
    dims = [f"FD{d}" for d in dims]
    if not np.iscomplexobj(data) and dic["FDF2FTFLAG"] == 0:
        raise SpectrumReadError(path, "real-only time-domain data in the direct dimension")
    meta = {"format": "pipe", "dic": dic, "pulse_program": "", "solvent": None,
            "ft_done": tuple(bool(dic[f"{d}FTFLAG"]) for d in dims)}
    if meta["ft_done"][-1]:
        raise SpectrumReadError(path, "the direct dimension is already Fourier transformed (not an FID)")
    quadrature = _PIPE_2DPHASE.get(int(dic["FD2DPHASE"]), "States") if ndim == 2 else None
    return FID(
        data=to_convention(data, "pipe", quadrature),
        quadrature_f1=quadrature,
        nucleus=tuple(str(dic[f"{d}LABEL"]) for d in dims),
        obs_mhz=tuple(float(dic[f"{d}OBS"]) for d in dims),
        sw_hz=tuple(float(dic[f"{d}SW"]) for d in dims),
        carrier_ppm=tuple(float(dic[f"{d}CAR"]) for d in dims),
        source=path,
        meta=meta,
    )


# ----------------------------------------------------------------------------- JCAMP-DX


def _jcamp_value(dic: dict, *names: str, default: str | None = None) -> str:
    """First of ``names`` present in an nmrglue JCAMP-DX dictionary (values are lists)."""
    for name in names:
        if name in dic and dic[name]:
            return str(dic[name][0]).strip()
    if default is None:
        raise KeyError(f"JCAMP-DX file has none of {names}")
    return default


def _read_jcamp_arrays(path: Path) -> tuple[dict, np.ndarray, np.ndarray | None]:
    dic, data = ng.jcampdx.read(str(path))
    if data is None:
        raise SpectrumReadError(path, "no XYDATA or NTUPLES data table")
    if isinstance(data, list):
        real, imag = data
        if real is None:
            raise SpectrumReadError(path, "NTUPLES table without a real part")
        return dic, np.asarray(real, dtype=float), None if imag is None else np.asarray(imag, dtype=float)
    return dic, np.asarray(data, dtype=float), None


def _read_jcampdx(path: Path) -> FID:
    dic, real, imag = _read_jcamp_arrays(path)
    datatype = _jcamp_value(dic, "DATATYPE", "DATA TYPE", default="").upper()
    if imag is None or "SPECTRUM" in datatype:
        raise SpectrumReadError(path, "JCAMP-DX file holds a spectrum, not a complex FID; use read_processed()")
    if real.size != imag.size:
        raise SpectrumReadError(path, f"truncated: {real.size} real and {imag.size} imaginary points")
    # NTUPLES: FIRST/LAST list one value per symbol (X, R, I); X is the time in seconds
    first, last = (float(_jcamp_value(dic, key).split(",")[0]) for key in ("FIRST", "LAST"))
    obs = float(_jcamp_value(dic, "$BF1", ".OBSERVEFREQUENCY"))
    acq = {"GRPDLY": _jcamp_value(dic, "$GRPDLY", default="-1"), "DECIM": _jcamp_value(dic, "$DECIM", default="1"),
           "DSPFVS": _jcamp_value(dic, "$DSPFVS", default="0")}
    grpdly = bruker_group_delay({k: float(v) for k, v in acq.items()})
    meta = {"format": "jcampdx", "dic": dic,
            "pulse_program": _jcamp_value(dic, "$PULPROG", ".PULSESEQUENCE", default="").strip("<>"),
            "solvent": canonical_name(_jcamp_value(dic, "$SOLVENT", ".SOLVENTNAME", default="")),
            "solvent_raw": _jcamp_value(dic, "$SOLVENT", ".SOLVENTNAME", default="").strip("<>")}
    return FID(data=to_convention(real + 1j * imag, "jcampdx", None), group_delay=grpdly,
               nucleus=(_jcamp_value(dic, ".OBSERVENUCLEUS", default="1H").lstrip("^"),),
               obs_mhz=(obs,),
               sw_hz=(float(real.size - 1) / abs(last - first),),
               carrier_ppm=(float(_jcamp_value(dic, "$O1", default="0")) / obs,),
               source=path, meta=meta)


def _read_jcampdx_spectrum(path: Path) -> Spectrum:
    dic, real, imag = _read_jcamp_arrays(path)
    obs = float(_jcamp_value(dic, ".OBSERVEFREQUENCY", "$SF", "$BF1"))
    first, last = float(_jcamp_value(dic, "FIRSTX")), float(_jcamp_value(dic, "LASTX"))
    npoints = int(float(_jcamp_value(dic, "NPOINTS", default=str(real.size))))
    if real.size != npoints:
        raise SpectrumReadError(path, f"truncated: {real.size} points, NPOINTS says {npoints}")
    x = np.linspace(first, last, real.size)
    if _jcamp_value(dic, "XUNITS", default="HZ").upper() == "HZ":
        x = x / obs
    if x[0] < x[-1]:
        x, real = x[::-1], real[::-1]
        imag = None if imag is None else imag[::-1]
    scale = PPMScale.from_ppm_axis(x, obs)
    meta = {"format": "jcampdx", "dic": dic,
            "solvent": canonical_name(_jcamp_value(dic, ".SOLVENTNAME", "$SOLVENT", default="").strip("<>"))}
    return Spectrum(data=real, ppm=scale.ppm_axis(), nucleus=_jcamp_value(dic, ".OBSERVENUCLEUS", default="1H").lstrip("^"),
                    obs_mhz=obs, source=path, imag=imag, meta=meta)
