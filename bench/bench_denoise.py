"""Denoising: the CNN against the wavelet and Savitzky-Golay baselines (and nmrdenoise's
autoencoder when installed), on seeded synthetic spectra and on ibuprofen with added noise.

Run: ``python bench/bench_denoise.py [--per-snr 8] [--model PATH]``.

Synthetic: 16,384 points, 16 Lorentzian lines (8 singlets and 4 doublets 2-4 linewidths
apart), heights 0.4-1, FWHM 3-8 points, white Gaussian noise of std ``1 / SNR`` (SNR of the
tallest possible line). Real: ``spectra.process(spectra.read(dir))`` of ibuprofen 13C and 1H,
plus white noise of std ``median height of its peaks / 5`` (reference peaks: threshold picks
at 10 noise std of the original), compared with the original.

Metrics against the noise-free (or original) spectrum: output SNR (tallest true line over the
RMS error), height ratio (output / truth at the point nearest each true line, mean), relative
RMSE (``||out - truth|| / ||truth||``), and precision / recall of a fixed threshold picker:
local maxima at least ``k`` x the noisy input's noise std (robust estimate) tall, ``k`` in
:data:`PICK_SNRS`, and rising ``PROMINENCE_SNR`` x that std above their surroundings, right
within one FWHM of a true line (one-to-one). The same threshold is used before and after
denoising.

Two bound rows on the synthetic sets, not methods: ``(truth)`` is the noise-free spectrum itself
(the picker's ceiling: lines shorter than the threshold are missed even without noise) and
``(oracle fit)`` the least-squares heights of Lorentzians at the true centres with the true
widths (the error floor of any denoiser that has to estimate the heights from the data).
"""

from __future__ import annotations

import argparse
import contextlib
import io
import time
from typing import Callable

import numpy as np
import torch
from scipy.signal import find_peaks

from _common import RAW, print_header
from shiftnet import spectra
from shiftnet.spectra.noise import residual_noise_sigma
from shiftnet.spectra_models.denoising import DEFAULT_MODEL, denoise
from shiftnet.spectra_models.metrics import score_peaks

SEED, N_POINTS, SNRS = 20261201, 16384, (3, 5, 10, 20)
PICK_SNRS, PROMINENCE_SNR = (1.5, 3.0), 1.0
REAL_SNR, REFERENCE_SNR = 5.0, 10.0
#: Index of the synthetic spectrum used only to warm every method up (outside the test set).
WARMUP_INDEX = 10**6
IBUPROFEN = {"13C": RAW / "lucyng_ibuprofen" / "2", "1H": RAW / "lucyng_ibuprofen" / "1"}
Method = Callable[[np.ndarray], np.ndarray]


def lorentzians(centres: np.ndarray, heights: np.ndarray, widths: np.ndarray, n: int) -> np.ndarray:
    """Sum of Lorentzian lines (FWHM ``widths`` points) on points ``0 .. n - 1``."""
    x = np.arange(n)[:, None]
    return (heights / (1.0 + ((x - centres) / (widths / 2.0)) ** 2)).sum(axis=1)


def synthetic(snr: float, index: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(noisy, clean, true centres, FWHM per line)`` of one synthetic spectrum."""
    rng = np.random.default_rng([SEED, snr, index])
    slots = (np.arange(12) + 0.5 + rng.uniform(-0.2, 0.2, 12)) * (0.9 * N_POINTS / 12) + 0.05 * N_POINTS
    widths = rng.uniform(3.0, 8.0, 12)
    split = rng.uniform(2.0, 4.0, 4) * widths[8:]
    centres = np.concatenate([slots[:8], slots[8:] - split / 2, slots[8:] + split / 2])
    widths = np.concatenate([widths[:8], widths[8:], widths[8:]])
    heights = np.concatenate([rng.uniform(0.4, 1.0, 12), np.zeros(4)])
    heights[12:] = heights[8:12]
    clean = lorentzians(centres, heights, widths, N_POINTS)
    return clean + rng.normal(0.0, 1.0 / snr, N_POINTS), clean, centres, widths


def real_case(nucleus: str) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Ibuprofen with added noise: ``(noisy, original, reference centres, FWHM per line)``."""
    original = spectra.process(spectra.read(IBUPROFEN[nucleus])).data.astype(float)
    sigma = residual_noise_sigma(original)
    found, props = find_peaks(original, height=REFERENCE_SNR * sigma, prominence=REFERENCE_SNR * sigma, width=0.5)
    noise = np.median(props["peak_heights"]) / REAL_SNR
    rng = np.random.default_rng([SEED, len(nucleus)])
    return original + rng.normal(0.0, noise, original.size), original, found.astype(float), props["widths"]


def pick(x: np.ndarray, threshold: float, sigma_in: float) -> np.ndarray:
    """The fixed threshold picker (``threshold`` in units of the noisy input's noise std)."""
    return find_peaks(x, height=threshold * sigma_in, prominence=PROMINENCE_SNR * sigma_in)[0].astype(float)


def scores(out: np.ndarray, clean: np.ndarray, centres: np.ndarray, widths: np.ndarray, sigma_in: float) -> np.ndarray:
    """``[output SNR, height ratio, relative RMSE, then tp, fp, fn per picker threshold]``."""
    error = out - clean
    apex = np.clip(np.rint(centres).astype(int), 0, clean.size - 1)
    picks = [score_peaks(centres, pick(out, k, sigma_in), np.maximum(widths, 1.0)) for k in PICK_SNRS]
    with np.errstate(divide="ignore"):  # the (truth) row: no error, infinite SNR
        output_snr = clean.max() / np.sqrt(np.mean(error ** 2))
    return np.array([output_snr, np.mean(out[apex] / clean[apex]),
                     np.linalg.norm(error) / np.linalg.norm(clean), *[v for p in picks for v in (p.tp, p.fp, p.fn)]])


def nmrdenoise_method() -> tuple[Method | None, str]:
    """nmrdenoise's autoencoder (its checkpoint, its max-normalisation), loaded once; or why not.

    Its last convolution has no padding: the output is 2 points short and centred one point
    later, so one edge point is put back at each end to align it with the input.
    """
    try:
        with contextlib.redirect_stdout(io.StringIO()):
            from nmrdenoise import AE_denoise
            net = AE_denoise.Autoencoder()
            net.load_state_dict(torch.load(AE_denoise().load_denoising_checkpoint(), map_location="cpu"))
    except Exception as exc:  # an optional comparison: any failure only drops the column
        return None, f"not run ({type(exc).__name__}: {exc})"
    net.eval()

    def run(x: np.ndarray) -> np.ndarray:
        top = np.abs(x).max()
        with torch.no_grad():
            out = net(torch.tensor(x / top, dtype=torch.float32)[None, None])[0, 0].double().numpy() * top
        return np.pad(out, (x.size - out.size) // 2, mode="edge")

    import nmrdenoise
    return run, f"nmrdenoise {nmrdenoise.__version__} (AE_denoise autoencoder, its shipped checkpoint)"


def methods(model: str) -> tuple[dict[str, Method], str]:
    table: dict[str, Method] = {"noisy": lambda x: x}
    for name in ("cnn", "wavelet", "savgol"):
        table[name] = (lambda m: lambda x: denoise(x, m, model=model if m == "cnn" else None))(name)
    ae, note = nmrdenoise_method()
    if ae is not None:
        table["nmrdenoise"] = ae
    return table, note


def run_cases(cases: list, table: dict[str, Method]) -> dict[str, tuple[np.ndarray, float]]:
    """Per method: ``[mean output SNR, mean height ratio, mean relative RMSE, then tp, fp, fn
    summed per picker threshold]`` over ``cases`` and the mean seconds per spectrum."""
    out = {}
    for name, method in table.items():
        rows, seconds = [], 0.0
        for noisy, clean, centres, widths in cases:
            start = time.perf_counter()
            result = method(noisy)
            seconds += time.perf_counter() - start
            rows.append(scores(result, clean, centres, widths, residual_noise_sigma(noisy)))
        rows = np.array(rows)
        out[name] = (np.concatenate([rows[:, :3].mean(axis=0), rows[:, 3:].sum(axis=0)]), seconds / len(cases))
    return out


def bound_rows(cases: list) -> dict[str, tuple[np.ndarray, float]]:
    """The ``(truth)`` and ``(oracle fit)`` rows of synthetic ``cases`` (see the module doc)."""
    def oracle_fit(noisy, clean, centres, widths):
        shapes = np.stack([lorentzians(np.array([c]), np.ones(1), np.array([w]), noisy.size)
                           for c, w in zip(centres, widths)], axis=1)
        return shapes @ np.linalg.lstsq(shapes, noisy, rcond=None)[0]

    rows = {}
    for name, make in (("(truth)", lambda noisy, clean, *_: clean), ("(oracle fit)", oracle_fit)):
        scored = np.array([scores(make(*case), *case[1:], residual_noise_sigma(case[0])) for case in cases])
        rows[name] = (np.concatenate([scored[:, :3].mean(axis=0), scored[:, 3:].sum(axis=0)]), float("nan"))
    return rows


def print_table(title: str, results: dict[str, tuple[np.ndarray, float]]) -> None:
    print(f"\n{title}")
    picks = " | ".join(f"P / R at {k:g} sigma" for k in PICK_SNRS)
    print(f"| method | output SNR | height ratio | rel. RMSE | {picks} | ms / spectrum |")
    print("| --- " * (5 + len(PICK_SNRS)) + "|")
    for name, (m, seconds) in results.items():
        tp, fp, fn = m[3::3], m[4::3], m[5::3]
        pr = " | ".join(f"{t / max(t + f, 1):.3f} / {t / max(t + n, 1):.3f}" for t, f, n in zip(tp, fp, fn))
        snr = "inf" if np.isinf(m[0]) else f"{m[0]:.1f}"
        print(f"| {name} | {snr} | {m[1]:.3f} | {m[2]:.3f} | {pr} | {1e3 * seconds:.1f} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--per-snr", type=int, default=8, help="synthetic spectra per SNR")
    parser.add_argument("--model", default=str(DEFAULT_MODEL), help="denoiser model file")
    args = parser.parse_args()
    # 2 threads on 2 shared cores thrash: a 16k CNN pass took 0.3-1 s, on 1 thread ~20 ms
    torch.set_num_threads(1)
    table, note = methods(args.model)
    print_header(seed=SEED, model=args.model, nmrdenoise=note, torch_threads=torch.get_num_threads(),
                 picker=f"local maxima >= {PICK_SNRS} x input noise std, prominence >= {PROMINENCE_SNR} x it")
    for method in table.values():  # warm-up: model loading and first-call costs stay out of the timings
        method(synthetic(SNRS[0], WARMUP_INDEX)[0])
    for snr in SNRS:
        cases = [synthetic(snr, i) for i in range(args.per_snr)]
        print_table(f"synthetic SNR {snr} ({args.per_snr} spectra of {N_POINTS} points, 16 lines each)",
                    {**run_cases(cases, table), **bound_rows(cases)})
    for nucleus, path in IBUPROFEN.items():
        if not path.is_dir():
            print(f"\nibuprofen {nucleus}: skipped, {path} not found")
            continue
        case = real_case(nucleus)
        print_table(f"ibuprofen {nucleus} ({path}; {case[0].size} points, {case[2].size} reference peaks, "
                    f"noise = median peak height / {REAL_SNR:g})", run_cases([case], table))


if __name__ == "__main__":
    main()
