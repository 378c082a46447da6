"""Spectra commands: process, simulate, pick, reconstruct, denoise, train-spectra."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path
import json

from .common import (PLOT_SUFFIXES, ProgressNote, UsageError, check_output, load_spectrum, readable_errors,
                     spectrum_outputs, write_checked)

PROCESS_EXAMPLES = """examples:
  shiftnet process data/ibuprofen/2 -o ibuprofen_13c.csv
  shiftnet process data/ibuprofen/6 -o hmqc.npz
  shiftnet process data/ibuprofen/1 --vendor
"""

SIMULATE_EXAMPLES = """examples:
  shiftnet simulate --smiles "CC(C)Cc1ccc(C(C)C(=O)O)cc1" --nucleus 1H --solvent CDCl3 -o ibu_1h.csv
  shiftnet simulate --shifts 128.4 77.2 21.5 --nucleus 13C --snr 50 -o sim.csv
  shiftnet simulate --shifts 7.26 128.4 2.1 30.8 --nucleus HSQC -o hsqc.npz
"""

PICK_EXAMPLES = """examples:
  shiftnet pick data/ibuprofen/2 -o peaks.csv --plot peaks.png
  shiftnet pick data/ibuprofen/1 --multiplets --total-h 18 -o multiplets.csv
  shiftnet pick data/ibuprofen/3 --method threshold --min-snr 8
"""


def add_parsers(commands) -> None:
    """The spectra subcommands."""
    process = commands.add_parser("process", help="read and process a spectrum (Bruker, Varian, NMRPipe, JCAMP-DX)",
                                  epilog=PROCESS_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    process.add_argument("path", type=Path, help="Bruker expno directory, Varian .fid directory, NMRPipe or JCAMP-DX file")
    process.add_argument("-o", "--output", type=Path,
                         help="spectrum file: .csv/.tsv (1D: ppm, intensity) or .npz (1D or 2D); default: a summary")
    process.add_argument("--solvent", default=None, help="solvent for referencing (default: from the parameters)")
    process.add_argument("--lb-hz", type=float, default=None, help="exponential line broadening in Hz")
    process.add_argument("--phase", default="auto", metavar="auto|peaks|none|P0,P1",
                         help="auto: peak fit + whole-spectrum refinement; peaks: peak fit only; none; or P0,P1 "
                              "in degrees (default auto)")
    process.add_argument("--baseline", default="auto", metavar="whittaker|polynomial|none|N",
                         help="baseline correction: whittaker (1D default), polynomial, a polynomial order N, none")
    process.add_argument("--reference", default="auto", metavar="auto|tms|solvent|vendor|none|PPM",
                         help="auto: TMS/DSS, else the solvent line, else the vendor's calibration (with a warning); "
                              "tms or solvent: required; or a ppm offset to add")
    process.add_argument("--zero-fill", type=int, default=None, metavar="N", help="points after zero-filling (1D)")
    process.add_argument("--nus", choices=["cnn", "lstm", "ist", "zero-fill"], default=None,
                         help="NUS data: reconstruct the indirect dimension with this method (default: zero-fill "
                              "with a warning)")
    process.add_argument("--denoise", choices=["cnn", "wavelet", "savgol"], default=None,
                         help="denoise the processed spectrum with this method")
    process.add_argument("--vendor", action="store_true", help="read the vendor's processed data (Bruker pdata/1)")
    process.add_argument("--plot", type=Path, metavar="FILE", help="picture of the spectrum (.png/.svg/.pdf)")

    simulate = commands.add_parser("simulate", help="simulate a 13C, 1H or HSQC spectrum with exact peak labels",
                                   epilog=SIMULATE_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    what = simulate.add_mutually_exclusive_group(required=True)
    what.add_argument("--smiles", help="structure (shifts from the shipped models)")
    what.add_argument("--shifts", nargs="+", type=float, metavar="PPM",
                      help="1D shifts in ppm (HSQC: 1H 13C pairs, flattened)")
    simulate.add_argument("--nucleus", choices=["13C", "1H", "HSQC"], default="13C")
    simulate.add_argument("--obs-mhz", type=float, default=None)
    simulate.add_argument("--points", type=int, default=None, help="complex points (1D)")
    simulate.add_argument("--linewidth-hz", type=float, default=None)
    simulate.add_argument("--snr", type=float, default=None)
    simulate.add_argument("--solvent", default=None, help="add the solvent's residual signals")
    simulate.add_argument("--seed", type=int, default=0)
    simulate.add_argument("--plot", type=Path, metavar="FILE",
                          help="picture of the spectrum with its labelled peaks (.png/.svg/.pdf)")
    simulate.add_argument("-o", "--output", type=Path, required=True,
                          help="spectrum file: .csv/.tsv (1D: ppm, intensity) or .npz (1D or HSQC); "
                               "peak labels go to OUTPUT stem + _peaks.csv")
    reconstruct = commands.add_parser("reconstruct", help="process a NUS 2D data set with a reconstruction method",
                                      description="Reconstructs the indirect dimension of a non-uniformly sampled "
                                                  "2D data set (Bruker nuslist) and processes it.")
    reconstruct.add_argument("path", type=Path, help="NUS experiment (Bruker expno with a nuslist)")
    reconstruct.add_argument("--method", choices=["cnn", "lstm", "ist"], default="cnn")
    reconstruct.add_argument("-o", "--output", type=Path, help="the reconstructed 2D spectrum (.npz)")
    reconstruct.add_argument("--plot", type=Path, metavar="FILE",
                             help="contours of the zero-filled NUS spectrum beside the reconstruction")
    denoise = commands.add_parser("denoise", help="denoise a spectrum (raw data, or a .csv/.npz from shiftnet process)")
    denoise.add_argument("path", type=Path, help="raw data (processed first) or a spectrum file (.csv ppm,intensity; .npz)")
    denoise.add_argument("--method", choices=["cnn", "wavelet", "savgol"], default="cnn")
    denoise.add_argument("-o", "--output", type=Path, help="the denoised spectrum (.csv, .tsv or .npz)")
    denoise.add_argument("--plot", type=Path, metavar="FILE", help="before/after overlay (.png/.svg/.pdf)")
    _add_spectra_model_parsers(commands)


def _add_spectra_model_parsers(commands) -> None:
    pick = commands.add_parser("pick", help="pick the peaks (or 1H multiplets) of a spectrum",
                               epilog=PICK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    pick.add_argument("path", type=Path, help="raw data (processed first: Bruker expno, Varian .fid, NMRPipe, "
                                              "JCAMP-DX) or a processed spectrum file (.npz from shiftnet process)")
    pick.add_argument("--method", choices=["cnn", "threshold"], default="cnn")
    pick.add_argument("--min-snr", type=float, default=5.0, help="minimum peak height over the noise std (default 5)")
    pick.add_argument("--ppm-window", type=float, nargs=2, metavar=("LOW", "HIGH"), help="keep peaks in this range")
    pick.add_argument("--no-split", action="store_true",
                      help="1D cnn: skip the fit that splits a pick into two lines one linewidth apart")
    pick.add_argument("--multiplets", action="store_true", help="1H: group the peaks into multiplets with integrals")
    pick.add_argument("--cross-peaks", action="store_true",
                      help="2D: one row per cross peak (the maxima of a multiplet grouped) instead of per maximum")
    pick.add_argument("--total-h", type=float, default=None, help="with --multiplets: integrals normalised to this "
                                                                  "number of H (sample multiplets)")
    pick.add_argument("--solvent", default=None, help="solvent for referencing (default: from the parameters)")
    pick.add_argument("-o", "--output", type=Path, help="peak table (.csv); default: printed")
    pick.add_argument("--plot", type=Path, metavar="FILE", help="the spectrum with the picked peaks (.png/.svg/.pdf)")
    train = commands.add_parser("train-spectra", help="train a spectra model on simulated spectra",
                                description="One training loop for the learned spectra models.")
    train.add_argument("task", choices=["peaks", "nus-cnn", "nus-lstm", "denoise"], help="which model")
    train.add_argument("--out", type=Path, required=True, help="run directory (checkpoint, log.jsonl, model.pt)")
    train.add_argument("--steps", type=int, default=1800)
    train.add_argument("--batch-size", type=int, default=16)
    train.add_argument("--lr", type=float, default=3e-3)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--val-seed", type=int, default=1_000_003)
    train.add_argument("--val-size", type=int, default=64)
    train.add_argument("--n-points", type=int, default=2048, help="points per simulated spectrum")
    train.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto")
    train.add_argument("--num-workers", type=int, default=1, help="processes simulating spectra")
    train.add_argument("--time-limit", type=float, default=None, metavar="S", help="stop (and save) after S seconds")
    train.add_argument("--checkpoint-every", type=int, default=50, help="steps between checkpoints")
    train.add_argument("--init-from", default=None, metavar="MODEL",
                       help="warm start from this model file of the same task (e.g. the shipped one)")
    train.add_argument("--stream", default="{}", metavar="JSON",
                       help='overrides of the simulated stream, e.g. \'{"pair_fraction": 0.5}\'')


def _processing_options(args: argparse.Namespace) -> dict:
    """``spectra.process`` keyword arguments from the ``shiftnet process`` options."""
    def number_or(text: str, words: dict):
        key = text.strip().lower()
        if key in words:
            return words[key]
        try:
            values = [float(v) for v in key.split(",")]
        except ValueError:
            raise UsageError(f"cannot understand {text!r}; use one of {', '.join(words)} or numbers") from None
        return values[0] if len(values) == 1 else tuple(values)

    phase = number_or(args.phase, {"auto": "auto", "peaks": "peaks", "none": None})
    if phase is not None and not isinstance(phase, str) and (not isinstance(phase, tuple) or len(phase) != 2):
        raise UsageError(f"--phase needs P0,P1 in degrees, got {args.phase!r}")
    baseline = number_or(args.baseline, {"auto": "auto", "whittaker": "whittaker", "polynomial": "polynomial",
                                         "none": None})
    reference = number_or(args.reference, {"auto": "auto", "tms": "tms", "solvent": "solvent", "vendor": "vendor",
                                           "none": None})
    options = {"lb_hz": args.lb_hz, "phase": phase, "reference": reference, "size": args.zero_fill,
               "baseline": int(baseline) if isinstance(baseline, float) else baseline}
    if getattr(args, "nus", None) not in (None, "zero-fill"):
        from ..spectra_models.reconstruction import reconstructor
        options["nus"] = reconstructor(args.nus)
    return options


def run_process(args: argparse.Namespace) -> int:
    from .. import spectra
    from ..export import SPECTRUM_FORMATS

    check_output(args.output, SPECTRUM_FORMATS, args.path)
    check_output(args.plot, PLOT_SUFFIXES, args.path)
    options = _processing_options(args)
    with readable_errors(), warnings.catch_warnings():  # the summary below reports the warnings
        warnings.simplefilter("ignore", spectra.ProcessingWarning)
        spec = spectra.read_processed(args.path) if args.vendor else spectra.process(
            spectra.read(args.path), solvent=args.solvent, **options)
    if args.denoise is not None:
        spec = spectra.denoise(spec, method=args.denoise)
    axes = [spec.ppm] if spec.ndim == 1 else list(spec.ppm)
    ranges = " x ".join(f"{a[0]:.2f}..{a[-1]:.2f} ppm ({a.size} points)" for a in axes)
    print(f"{args.path}: {spec.nucleus} {ranges}")
    for line in spectra.process_summary(spec):
        print(f"  {line}")
    from ..plot import plot_spectrum

    spectrum_outputs(spec, args.output, args.plot, lambda path: plot_spectrum(spec, path))
    return 0


def run_simulate(args: argparse.Namespace) -> int:
    from .. import spectra
    from ..export import SPECTRUM_FORMATS, write_spectrum

    check_output(args.output, SPECTRUM_FORMATS)
    check_output(args.plot, PLOT_SUFFIXES)
    source, mol = args.shifts, None
    if args.smiles is not None:
        from ..shifts.predict import predict

        source = predict([args.smiles], solvent=args.solvent)[0]
        if not source.ok:
            raise UsageError(f"cannot simulate {args.smiles!r}: {source.error}")
        mol = source.mol
    elif args.nucleus == "HSQC":
        if len(args.shifts) % 2:
            raise UsageError("HSQC --shifts needs 1H 13C pairs (an even number of values)")
        source = list(zip(args.shifts[::2], args.shifts[1::2]))
    try:
        sim = spectra.simulate(source, nucleus=args.nucleus, obs_mhz=args.obs_mhz, n_points=args.points,
                               linewidth_hz=args.linewidth_hz, snr=args.snr, seed=args.seed, solvent=args.solvent)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    write_checked(write_spectrum, sim.spectrum, args.output)
    peaks_path = args.output.with_name(args.output.stem + "_peaks.csv")
    sim.peaks.to_csv(peaks_path, index=False)
    print(f"written: {args.output} and {peaks_path} ({len(sim.peaks)} peaks)")
    if args.plot is not None:
        from ..plot import plot_simulation

        print(f"picture: {plot_simulation(sim, args.plot, mol=mol)}")
    return 0


def run_pick(args: argparse.Namespace) -> int:
    from .. import spectra

    check_output(args.output, (".csv",), args.path)
    check_output(args.plot, PLOT_SUFFIXES, args.path)
    with readable_errors():
        spec = load_spectrum(args.path, args.solvent)
        window = tuple(args.ppm_window) if args.ppm_window else None
        if args.cross_peaks and spec.ndim != 2:
            raise UsageError(f"--cross-peaks groups the maxima of a 2D spectrum; {args.path} is 1D")
        if args.multiplets:
            picked = spectra.pick_multiplets(spec, total_h=args.total_h, method=args.method, min_snr=args.min_snr,
                                             ppm_window=window, split_overlaps=not args.no_split)
        else:
            picked = spectra.pick_peaks(spec, method=args.method, min_snr=args.min_snr, ppm_window=window,
                                        split_overlaps=not args.no_split)
    frame = picked.cross_peaks() if args.cross_peaks else picked.frame
    noise = picked.peaks.noise if args.multiplets else picked.noise
    kind = "multiplets" if args.multiplets else "cross peaks" if args.cross_peaks else "peaks"
    print(f"{args.path}: {len(frame)} {kind} ({args.method}), "
          f"noise std {noise:.4g}", file=sys.stderr)
    if args.output is None:
        print(frame.round(4).to_string(index=False))
    else:
        frame.round(5).to_csv(args.output, index=False)
        print(f"written: {args.output}")
    if args.plot is not None:
        from ..plot import plot_spectrum

        print(f"picture: {plot_spectrum(spec, args.plot, peaks=frame)}")
    return 0


def run_reconstruct(args: argparse.Namespace) -> int:
    from .. import spectra
    from ..export import write_spectrum
    from ..spectra_models.reconstruction import reconstructor

    check_output(args.output, (".npz",), args.path)
    check_output(args.plot, PLOT_SUFFIXES, args.path)
    with readable_errors():
        fid = spectra.read(args.path)
    if fid.ndim != 2 or "nuslist" not in fid.meta:
        raise UsageError(f"{args.path} is not a NUS 2D data set (no nuslist)")
    progress = ProgressNote(f"reconstructing {args.path} with {args.method}")
    spec = spectra.process(fid, nus=reconstructor(args.method))
    progress.done()
    if args.output is not None:
        print(f"written: {write_spectrum(spec, args.output)}")
    if args.plot is not None:
        from ..plot import plot_comparison

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", spectra.ProcessingWarning)
            zero_filled = spectra.process(fid, nus="zero-fill")
        print(f"picture: {plot_comparison([zero_filled, spec], ['zero-filled NUS', args.method], args.plot)}")
    return 0


def run_denoise(args: argparse.Namespace) -> int:
    from .. import spectra
    from ..export import SPECTRUM_FORMATS

    check_output(args.output, SPECTRUM_FORMATS, args.path)
    check_output(args.plot, PLOT_SUFFIXES, args.path)
    with readable_errors():
        before = load_spectrum(args.path, None)
        after = spectra.denoise(before, method=args.method)
    from ..plot import plot_comparison

    spectrum_outputs(after, args.output, args.plot,
                      lambda path: plot_comparison([before, after], ["input", f"denoised ({args.method})"], path))
    return 0


def _stream_overrides(text: str) -> dict:
    """The ``--stream`` JSON object of stream options."""
    try:
        overrides = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UsageError(f"--stream is not valid JSON ({exc})") from None
    if not isinstance(overrides, dict):
        raise UsageError(f"--stream must be a JSON object of stream options, got {text!r}")
    return overrides


def run_train_spectra(args: argparse.Namespace) -> int:
    from ..spectra_models.train import ResumeError, TrainConfig, train_spectra_model

    config = TrainConfig(steps=args.steps, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                         val_seed=args.val_seed, val_size=args.val_size, device=args.device,
                         num_workers=args.num_workers, time_limit_s=args.time_limit,
                         checkpoint_every=args.checkpoint_every, init_from=args.init_from,
                         stream={"n_points": args.n_points, **_stream_overrides(args.stream)})
    try:
        metrics = train_spectra_model(args.task, args.out, config)
    except (ResumeError, ValueError) as exc:
        raise UsageError(str(exc)) from None
    print(json.dumps(metrics, indent=2))
    return 0


HANDLERS = {"process": run_process, "simulate": run_simulate, "pick": run_pick, "reconstruct": run_reconstruct,
            "denoise": run_denoise, "train-spectra": run_train_spectra}
