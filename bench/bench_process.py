"""Default 1D processing against the vendor's processed spectrum (Bruker ``pdata/1/1r``).

For every Bruker 1D data set under the raw-data folder that carries the vendor's ``1r``, the FID
is processed and compared point by point with the vendor spectrum: both scaled to their
maximum, ours interpolated onto the vendor's ppm axis after the best global ppm offset.

Figures per data set and method:

* ``base%``: median |y| (percent of the maximum) where the vendor spectrum has no signal
  (target <= 0.2);
* ``dip%``: the deepest negative excursion the vendor spectrum does not have (target <= 1);
* ``corr``: Pearson correlation of the aligned spectra (target >= 0.985);
* ``ref``: the global offset in ppm (our scale minus the vendor's; targets 0.005 1H, 0.05 13C).

Methods: ``ours`` (``process`` with its defaults), ``nmrglue`` (FT + ACME autophase + nmrglue's
baseline corrector, no referencing: its ``ref`` is not meaningful) and ``previous`` (the
defaults of an older checkout given by ``--previous``, e.g. a ``git worktree`` of fa123f8,
run in a subprocess). Run::

    git worktree add --detach /tmp/shiftnet_fa123f8 fa123f8
    nice python bench/bench_process.py --previous /tmp/shiftnet_fa123f8
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

from _common import RAW, print_header

MAX_SHIFT_PPM = {"1H": 0.3, "13C": 3.0}


def datasets(root: Path) -> list[Path]:
    """Bruker 1D expno folders below ``root`` with a ``fid`` and the vendor's ``pdata/1/1r``."""
    return sorted(p.parent for p in root.rglob("fid") if (p.parent / "pdata" / "1" / "1r").is_file())


def ours(path: Path) -> tuple[np.ndarray, np.ndarray]:
    """``(ppm, data)`` from ``shiftnet.spectra.process`` with its defaults."""
    from shiftnet.spectra import process, read
    spec = process(read(path))
    return spec.ppm, spec.data


def plain_nmrglue(path: Path, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``(ppm, data)``: nmrglue FT (digital filter removed), ACME autophase, baseline corrector."""
    import nmrglue as ng
    dic, data = ng.bruker.read(str(path))
    data = ng.bruker.remove_digital_filter(dic, data)
    lb_hz = 0.3 if dic["acqus"]["NUC1"] == "1H" else 1.0
    data = ng.proc_base.em(data, lb=lb_hz / float(dic["acqus"]["SW_h"]))
    data = ng.proc_base.fft(ng.proc_base.zf_size(data, size))
    data = ng.proc_autophase.autops(data, "acme", disp=False)
    data = ng.proc_base.rev(ng.proc_bl.baseline_corrector(data.real))
    udic = ng.bruker.guess_udic(dic, data)
    return ng.fileiobase.uc_from_udic(udic).ppm_scale(), data


def previous(path: Path, checkout: Path) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """``{dataset: (ppm, data)}`` from an older checkout's ``process`` (run in a subprocess)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "previous.npz"
        env = {**os.environ, "PYTHONPATH": str(checkout)}
        subprocess.run([sys.executable, __file__, "--emit", str(out), "--data", str(path)], env=env, check=True)
        saved = np.load(out)
        return {name[:-3]: (saved[name], saved[name[:-3] + "data"]) for name in saved.files if name.endswith("ppm")}


def _on_grid(ppm: np.ndarray, data: np.ndarray, grid: np.ndarray, shift: float) -> np.ndarray:
    """``data`` read at ``grid + shift`` ppm (linear interpolation, zero outside)."""
    return np.interp(grid + shift, ppm[::-1], data[::-1], left=0.0, right=0.0)


def best_shift(ppm: np.ndarray, data: np.ndarray, vendor_ppm: np.ndarray, vendor: np.ndarray,
               max_shift: float) -> float:
    """The ppm offset (ours minus vendor) that maximises the cross-correlation (FFT, parabolic apex)."""
    step = vendor_ppm[0] - vendor_ppm[1]
    ours = _on_grid(ppm, data, vendor_ppm, 0.0)
    n = 2 * vendor.size
    xcorr = np.fft.irfft(np.fft.rfft(ours, n) * np.conj(np.fft.rfft(vendor, n)), n)
    lags = np.arange(-int(max_shift / step), int(max_shift / step) + 1)
    values = xcorr[lags % n]
    i = int(np.clip(np.argmax(values), 1, lags.size - 2))
    left, centre, right = values[i - 1: i + 2]
    offset = 0.5 * (left - right) / (left - 2 * centre + right) if left - 2 * centre + right < 0 else 0.0
    # ours[k + lag] matches vendor[k]: our ppm is higher by lag points' worth of ppm
    return float(-(lags[i] + offset) * step)


def compare(ppm: np.ndarray, data: np.ndarray, vendor_ppm: np.ndarray, vendor: np.ndarray,
            nucleus: str) -> dict[str, float]:
    """The four figures of the module docstring for one processed spectrum."""
    from shiftnet.spectra.baseline import signal_mask
    vendor = vendor / np.abs(vendor).max()
    data = data / np.abs(data).max()
    shift = best_shift(ppm, data, vendor_ppm, vendor, MAX_SHIFT_PPM.get(nucleus, 3.0))
    aligned = _on_grid(ppm, data, vendor_ppm, shift)
    empty = signal_mask(vendor, negative_lines=bool(np.any(vendor < -0.05)))
    dip = np.max(np.maximum(-aligned, 0.0) - np.maximum(-vendor, 0.0))
    return {"base%": 100 * float(np.median(np.abs(aligned[empty]))), "dip%": 100 * float(max(dip, 0.0)),
            "corr": float(np.corrcoef(aligned, vendor)[0, 1]), "ref": shift}


def emit(root: Path, out: Path) -> None:
    """Save ``process`` output of every data set to ``out`` (the ``--previous`` subprocess)."""
    arrays = {}
    for path in datasets(root):
        ppm, data = ours(path)
        name = str(path.relative_to(root))
        arrays[name + "ppm"], arrays[name + "data"] = ppm, data
    np.savez(out, **arrays)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=RAW, help="raw-data folder (searched recursively)")
    parser.add_argument("--previous", type=Path, help="checkout whose process() defaults are 'previous'")
    parser.add_argument("--emit", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    warnings.filterwarnings("ignore", message="Error reading the pulse program")
    if args.emit:
        return emit(args.data, args.emit)
    from shiftnet.spectra import read_processed
    print_header(data=args.data, previous=args.previous or "not run")
    old = previous(args.data, args.previous) if args.previous else {}
    print(f"{'data set':42s} {'nuc':4s} {'method':9s} {'base%':>6s} {'dip%':>6s} {'corr':>6s} {'ref ppm':>8s}")
    for path in datasets(args.data):
        vendor = read_processed(path)
        name = str(path.relative_to(args.data))
        start = time.perf_counter()
        runs = {"ours": ours(path)}
        seconds = time.perf_counter() - start
        runs["nmrglue"] = plain_nmrglue(path, runs["ours"][1].size)
        if name in old:
            runs["previous"] = old[name]
        for method, (ppm, data) in runs.items():
            m = compare(ppm, data, vendor.ppm, vendor.data, vendor.nucleus)
            ref = f"{m['ref']:+8.3f}" if method != "nmrglue" else "       -"
            print(f"{name:42s} {vendor.nucleus:4s} {method:9s} {m['base%']:6.2f} {m['dip%']:6.2f} "
                  f"{m['corr']:6.3f} {ref}" + (f"   ({seconds:.2f} s)" if method == "ours" else ""))


if __name__ == "__main__":
    main()
