"""``shiftnet <command>``: parse arguments, call one public function, write its output.

Exit codes: 0 success (predict: at least one molecule succeeded), 1 nothing succeeded or the
command failed, 2 usage errors.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
import warnings
from pathlib import Path

from . import __version__

PREDICT_EXAMPLES = """examples:
  shiftnet predict --smiles CCO "c1ccccc1C"
  shiftnet predict --smiles "CC(=O)C" --nucleus 13C --solvent CDCl3
  shiftnet predict -i molecules.smi -o shifts.parquet
  shiftnet predict -i library.sdf -o annotated.sdf --solvent DMSO-d6
"""

TRAIN_EXAMPLES = """examples:
  shiftnet train --data nmrshiftdb2withsignals.sd --out runs/my_model
  shiftnet train --data dev.parquet extra_assigned.parquet --unassigned unassigned_13c.parquet \\
                 --outliers exp_dft_outliers_dev.csv --out runs/full --epochs 40
"""


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


PLOT_SUFFIXES = (".png", ".svg", ".pdf")


ASSIGN_EXAMPLES = """examples:
  shiftnet assign --smiles "CCOC(C)=O" --peaks-13c "14.2,21.0,60.4,171.1" -o ethyl_acetate.nmredata.sdf
  shiftnet assign --smiles "CC(C)Cc1ccc(C(C)C(=O)O)cc1" --peaks-13c "181.0,140.9,137.0,129.4,127.3,45.0,45.0q,30.2,22.4,18.1" \\
                  --peaks-1h "7.21:2,7.10:2,3.70:1,2.45:2,1.85:1,1.50:3,0.90:6" --solvent CDCl3 -o ibuprofen.json
"""

VERIFY_EXAMPLES = """examples:
  shiftnet verify --candidates "CCOC(C)=O" "COC(=O)CC" "CC(=O)OC" --peaks-13c "14.2,21.0,60.4,171.1"
  shiftnet verify --candidates isomers.smi --peaks-13c "..." --peaks-1h "..." -o report.csv
"""


class _UsageError(Exception):
    pass


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="shiftnet", description="Deep learning for NMR of small molecules.")
    parser.add_argument("--version", action="version", version=f"shiftnet {__version__}")
    commands = parser.add_subparsers(dest="command", required=True)

    predict = commands.add_parser("predict", help="predict 13C / 1H chemical shifts",
                                  epilog=PREDICT_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    source = predict.add_mutually_exclusive_group(required=True)
    source.add_argument("--smiles", nargs="+", metavar="S", help="one or more SMILES")
    source.add_argument("-i", "--input", type=Path, metavar="FILE",
                        help="structure file: .smi, .csv/.tsv (smiles column), .sdf, .mol, .parquet; with an "
                             "output folder also a glob of Parquet/CSV files ('library/*.parquet')")
    predict.add_argument("-o", "--output", metavar="OUT",
                         help="output file, format from the suffix (.csv .tsv .json .sdf .parquet; default: stdout), "
                              "or a folder (trailing /) for one Parquet file per input partition (Dask)")
    predict.add_argument("--nucleus", nargs="+", default=["13C", "1H"], choices=["13C", "1H"])
    predict.add_argument("--solvent", default=None,
                         help="CDCl3, DMSO-d6, CD3OD, D2O, C6D6, acetone-d6, CD3CN, ... (default: unknown)")
    predict.add_argument("--format", choices=["csv", "tsv", "json", "sdf", "parquet"], default=None)
    predict.add_argument("--models", nargs="+", type=Path, metavar="PT", help="model files (default: shipped)")
    predict.add_argument("--workers", type=int, default=None,
                         help="one output file: extra processes that featurise ahead (helps on 4+ cores; default 0); "
                              "an output folder: local Dask worker processes (default 2)")
    predict.add_argument("--scheduler", metavar="ADDRESS",
                         help="a running Dask scheduler (tcp://HOST:8786): predict partition by partition into "
                              "the output folder (pip install shiftnet[dask])")
    predict.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    predict.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                         help="where the network runs (auto: CUDA when present); featurisation stays on the CPU")
    predict.add_argument("--plot", type=Path, metavar="FILE",
                         help="picture of each prediction (.png/.svg/.pdf): the molecule with its shifts beside the "
                              "13C and 1H stick spectra; several molecules give FILE_<index>.png")

    train = commands.add_parser("train", help="train a shift model on your data",
                                epilog=TRAIN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    train.add_argument("--data", nargs="+", type=Path, required=True,
                       help="assigned data: tables in the dev.parquet layout or NMRShiftDB2 SD files")
    train.add_argument("--unassigned", type=Path, help="unassigned 13C peak lists (unassigned_13c.parquet layout)")
    train.add_argument("--outliers", type=Path, help="CSV of doubtful 13C values to leave out (mol_id, atom_index)")
    train.add_argument("--teacher", nargs="+", type=Path, default=None,
                       help="model files whose ensemble is distilled into the new model")
    train.add_argument("--out", type=Path, required=True, help="run directory (checkpoints, log, model.pt)")
    train.add_argument("--epochs", type=int, default=40)
    train.add_argument("--dim", type=int, default=192)
    train.add_argument("--layers", type=int, default=6)
    train.add_argument("--dft", type=Path, default=None,
                       help="DFT shifts (dft8k_dev.parquet layout) for an auxiliary training head")
    train.add_argument("--dft-weight", type=float, default=0.5, help="weight of the DFT auxiliary loss (with --dft)")
    train.add_argument("--ema", type=float, default=0.0,
                       help="decay of an exponential moving average of the weights (e.g. 0.999); the average is saved")
    train.add_argument("--dropout", type=float, default=0.0, help="dropout rate in the encoder and heads")
    train.add_argument("--virtual-node", action="store_true",
                       help="molecule-level context: an MLP of the summed atom states is added to every atom between layers")
    train.add_argument("--batch-size", type=int, default=64)
    train.add_argument("--lr", type=float, default=1e-3)
    train.add_argument("--seed", type=int, default=0)
    train.add_argument("--threads", type=int, default=1)
    train.add_argument("--h-weight", type=float, default=1.0, help="weight of the 1H loss terms relative to 13C")
    train.add_argument("--max-minutes", type=float, default=None, help="stop after this much training time")
    train.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                       help="where training runs (auto: CUDA when present)")
    train.add_argument("--distributed", action="store_true",
                       help="data-parallel over the processes of torchrun --nproc_per_node=N (gloo on CPU, NCCL on "
                            "GPU); --batch-size is per process")
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
    _add_assign_parsers(commands)
    _add_spectra_model_parsers(commands)
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
    serve = commands.add_parser("serve", help="a local web page: predict, look at spectra, assign (needs shiftnet[web])")
    serve.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    serve.add_argument("--port", type=int, default=8000, help="port (default 8000)")
    return parser


PICK_EXAMPLES = """examples:
  shiftnet pick data/ibuprofen/2 -o peaks.csv --plot peaks.png
  shiftnet pick data/ibuprofen/1 --multiplets --total-h 18 -o multiplets.csv
  shiftnet pick data/ibuprofen/3 --method threshold --min-snr 8
"""


def _add_spectra_model_parsers(commands) -> None:
    pick = commands.add_parser("pick", help="pick the peaks (or 1H multiplets) of a spectrum",
                               epilog=PICK_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    pick.add_argument("path", type=Path, help="raw data (processed first: Bruker expno, Varian .fid, NMRPipe, "
                                              "JCAMP-DX) or a processed spectrum file (.npz from shiftnet process)")
    pick.add_argument("--method", choices=["cnn", "threshold"], default="cnn")
    pick.add_argument("--min-snr", type=float, default=5.0, help="minimum peak height over the noise std (default 5)")
    pick.add_argument("--ppm-window", type=float, nargs=2, metavar=("LOW", "HIGH"), help="keep peaks in this range")
    pick.add_argument("--multiplets", action="store_true", help="1H: group the peaks into multiplets with integrals")
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


def _load_spectrum(path: Path, solvent: str | None):
    """A processed spectrum from raw data (processed with defaults) or a ``shiftnet process``
    file (.npz, or .csv/.tsv with ppm and intensity columns)."""
    from . import spectra

    if path.suffix.lower() == ".npz":
        import numpy as np

        with np.load(path, allow_pickle=False) as stored:
            ppm = stored["ppm"] if "ppm" in stored.files else (stored["ppm_f1"], stored["ppm_f2"])
            return spectra.Spectrum(data=stored["data"], ppm=ppm, nucleus="?", source=path)
    if path.suffix.lower() in (".csv", ".tsv"):
        import pandas as pd

        table = pd.read_csv(path, sep="\t" if path.suffix.lower() == ".tsv" else ",")
        if not {"ppm", "intensity"} <= set(table.columns):
            raise ValueError(f"{path}: a spectrum table needs ppm and intensity columns")
        return spectra.Spectrum(data=table["intensity"].to_numpy(), ppm=table["ppm"].to_numpy(), nucleus="?",
                                source=path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", spectra.ProcessingWarning)
        return spectra.process(spectra.read(path), solvent=solvent)


def _run_reconstruct(args: argparse.Namespace) -> int:
    from . import spectra
    from .export import write_spectrum
    from .spectra_models.reconstruction import reconstructor

    _check_output(args.output, (".npz",), args.path)
    _check_output(args.plot, PLOT_SUFFIXES, args.path)
    try:
        fid = spectra.read(args.path)
    except spectra.SpectrumReadError as exc:
        print(f"shiftnet reconstruct: {exc}", file=sys.stderr)
        return 1
    if fid.ndim != 2 or "nuslist" not in fid.meta:
        raise _UsageError(f"{args.path} is not a NUS 2D data set (no nuslist)")
    progress = _ProgressNote(f"reconstructing {args.path} with {args.method}")
    spec = spectra.process(fid, nus=reconstructor(args.method))
    progress.done()
    if args.output is not None:
        print(f"written: {write_spectrum(spec, args.output)}")
    if args.plot is not None:
        from .plot import plot_comparison

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", spectra.ProcessingWarning)
            zero_filled = spectra.process(fid, nus="zero-fill")
        print(f"picture: {plot_comparison([zero_filled, spec], ['zero-filled NUS', args.method], args.plot)}")
    return 0


class _ProgressNote:
    """A line on stderr before a long step and its duration after it."""

    def __init__(self, what: str) -> None:
        import time

        self.start, self.clock = time.perf_counter(), time.perf_counter
        print(f"shiftnet: {what} ...", file=sys.stderr, flush=True)

    def done(self) -> None:
        print(f"shiftnet: done in {self.clock() - self.start:.1f} s", file=sys.stderr)


def _run_denoise(args: argparse.Namespace) -> int:
    from . import spectra
    from .export import SPECTRUM_FORMATS

    _check_output(args.output, SPECTRUM_FORMATS, args.path)
    _check_output(args.plot, PLOT_SUFFIXES, args.path)
    try:
        before = _load_spectrum(args.path, None)
        after = spectra.denoise(before, method=args.method)
    except spectra.SpectrumReadError as exc:
        print(f"shiftnet denoise: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    from .plot import plot_comparison

    _spectrum_outputs(after, args.output, args.plot,
                      lambda path: plot_comparison([before, after], ["input", f"denoised ({args.method})"], path))
    return 0


def _run_pick(args: argparse.Namespace) -> int:
    from . import spectra

    _check_output(args.output, (".csv",), args.path)
    _check_output(args.plot, PLOT_SUFFIXES, args.path)
    try:
        spec = _load_spectrum(args.path, args.solvent)
        window = tuple(args.ppm_window) if args.ppm_window else None
        if args.multiplets:
            picked = spectra.pick_multiplets(spec, total_h=args.total_h, method=args.method, min_snr=args.min_snr,
                                             ppm_window=window)
        else:
            picked = spectra.pick_peaks(spec, method=args.method, min_snr=args.min_snr, ppm_window=window)
    except spectra.SpectrumReadError as exc:
        print(f"shiftnet pick: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    frame = picked.frame
    noise = picked.peaks.noise if args.multiplets else picked.noise
    print(f"{args.path}: {len(frame)} {'multiplets' if args.multiplets else 'peaks'} ({args.method}), "
          f"noise std {noise:.4g}", file=sys.stderr)
    if args.output is None:
        print(frame.round(4).to_string(index=False))
    else:
        frame.round(5).to_csv(args.output, index=False)
        print(f"written: {args.output}")
    if args.plot is not None:
        from .plot import plot_spectrum

        print(f"picture: {plot_spectrum(spec, args.plot, peaks=frame)}")
    return 0


def _run_train_spectra(args: argparse.Namespace) -> int:
    from .spectra_models.train import ResumeError, TrainConfig, train_spectra_model

    config = TrainConfig(steps=args.steps, batch_size=args.batch_size, lr=args.lr, seed=args.seed,
                         val_seed=args.val_seed, val_size=args.val_size, device=args.device,
                         num_workers=args.num_workers, time_limit_s=args.time_limit,
                         checkpoint_every=args.checkpoint_every, stream={"n_points": args.n_points})
    try:
        metrics = train_spectra_model(args.task, args.out, config)
    except (ResumeError, ValueError) as exc:
        raise _UsageError(str(exc)) from None
    print(json.dumps(metrics, indent=2))
    return 0


def _run_serve(args: argparse.Namespace) -> int:
    try:
        from .web import serve
    except ImportError as exc:
        raise _UsageError(f"the web page needs its extra: pip install shiftnet[web] ({exc})") from None
    serve(args.host, args.port)
    return 0


def _add_peak_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--peaks-13c", metavar="LIST", help="13C peaks in ppm, e.g. \"181.2,140.9d,45.0t\" "
                                                             "(optional DEPT multiplicity s/d/t/q)")
    parser.add_argument("--peaks-1h", metavar="LIST", help="1H multiplet centres, e.g. \"7.21:2,3.70:1\" (optional :integral)")
    parser.add_argument("--hsqc", metavar="LIST", help="HSQC cross peaks as 1H:13C pairs, e.g. \"7.21:129.4,3.70:45.0\"")
    parser.add_argument("--hmbc", metavar="LIST", help="HMBC cross peaks as 1H:13C pairs (long-range, 2-3 bonds)")
    for name, what in (("13c", "13C{1H}"), ("1h", "1H"), ("hsqc", "HSQC or HMQC"), ("hmbc", "HMBC"),
                       ("dept135", "DEPT-135"), ("dept90", "DEPT-90")):
        parser.add_argument(f"--data-{name}", type=Path, metavar="DIR",
                            help=f"raw {what} data (processed and peak-picked) instead of a typed list")
    parser.add_argument("--solvent", default=None, help="solvent of the measurement (CDCl3, DMSO-d6, ...; "
                                                        "default: from the data's parameters)")
    parser.add_argument("-k", type=int, default=5, help="number of best assignments kept (confidence)")


def _add_assign_parsers(commands) -> None:
    assign = commands.add_parser("assign", help="assign observed peaks to the atoms of a structure",
                                 epilog=ASSIGN_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    assign.add_argument("--smiles", required=True, help="the structure")
    _add_peak_arguments(assign)
    assign.add_argument("-o", "--output", type=Path, help=".sdf (NMReDATA), .csv or .json; default: a table on stdout")
    assign.add_argument("--larmor-mhz", type=float, default=400.0, help="1H frequency written to NMReDATA")
    assign.add_argument("--plot", type=Path, metavar="FILE",
                        help="picture (.png/.svg/.pdf): the structure with the observed shifts, peaks labelled with atoms")
    verify = commands.add_parser("verify", help="rank candidate structures by how well they explain the peaks",
                                 epilog=VERIFY_EXAMPLES, formatter_class=argparse.RawDescriptionHelpFormatter)
    verify.add_argument("--candidates", nargs="+", required=True, metavar="SMILES_OR_FILE",
                        help="candidate SMILES, or one structure file (.smi, .csv, .sdf, ...)")
    _add_peak_arguments(verify)
    verify.add_argument("-o", "--output", type=Path, help=".csv or .json; default: a table on stdout")


def _observed_lists(args: argparse.Namespace) -> dict:
    """``assign``/``verify`` keyword arguments: typed peak lists and raw ``data``."""
    from .assignment.observed import parse_peak_text

    data = {key: path for key, path in (("13C", args.data_13c), ("1H", args.data_1h), ("HSQC", args.data_hsqc),
                                        ("HMBC", args.data_hmbc), ("DEPT135", args.data_dept135),
                                        ("DEPT90", args.data_dept90)) if path}
    if not (args.peaks_13c or args.peaks_1h or args.hsqc or data):
        raise _UsageError("give observed peaks (--peaks-13c, --peaks-1h, --hsqc) or raw data (--data-13c, ...)")
    try:
        return {"peaks_13c": parse_peak_text(args.peaks_13c, "13C") if args.peaks_13c else None,
                "peaks_1h": parse_peak_text(args.peaks_1h, "1H") if args.peaks_1h else None,
                "hsqc": parse_peak_text(args.hsqc, "HSQC") if args.hsqc else None,
                "hmbc": parse_peak_text(args.hmbc, "HSQC") if args.hmbc else None, "data": data or None}
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _with_observed(function, args: argparse.Namespace, structures):
    """``function(structures, <observed lists and data>, solvent, k)`` for assign / verify;
    None (after printing why) when a raw data set cannot be read."""
    from .spectra.io import SpectrumReadError

    observed = _observed_lists(args)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # processing notes of raw data
            return function(structures, solvent=args.solvent, k=args.k, **observed)
    except SpectrumReadError as exc:
        print(f"shiftnet {args.command}: {exc}", file=sys.stderr)
        return None
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _run_assign(args: argparse.Namespace) -> int:
    from .assignment import assign
    from .assignment.nmredata import ASSIGNMENT_FORMATS, write_assignment

    _check_output(args.output, ASSIGNMENT_FORMATS)
    _check_output(args.plot, PLOT_SUFFIXES)
    result = _with_observed(assign, args, args.smiles)
    if result is None:
        return 1
    if args.output is None:
        print(result.frame.round(3).to_string(index=False))
    else:
        print(f"written: {write_assignment(result, args.output, args.larmor_mhz)}")
    if args.plot is not None:
        from .plot import plot_assignment

        print(f"picture: {plot_assignment(result, args.plot)}")
    return 0


def _run_verify(args: argparse.Namespace) -> int:
    from .assignment import verify
    from .assignment.nmredata import write_verification

    candidates = args.candidates
    if len(candidates) == 1 and Path(candidates[0]).is_file():
        candidates = Path(candidates[0])
    result = _with_observed(verify, args, candidates)
    if result is None:
        return 1
    if args.output is None:
        print(result.frame.round(3).to_string(index=False))
    else:
        _write(write_verification, result, args.output)
        print(f"written: {args.output}")
    if result.no_fit:
        print("shiftnet verify: warning: no candidate explains the peaks well (all fit poorly)", file=sys.stderr)
    return 0 if result.frame["error"].isna().any() else 1


def _processing_options(args: argparse.Namespace) -> dict:
    """``spectra.process`` keyword arguments from the ``shiftnet process`` options."""
    def number_or(text: str, words: dict):
        key = text.strip().lower()
        if key in words:
            return words[key]
        try:
            values = [float(v) for v in key.split(",")]
        except ValueError:
            raise _UsageError(f"cannot understand {text!r}; use one of {', '.join(words)} or numbers") from None
        return values[0] if len(values) == 1 else tuple(values)

    phase = number_or(args.phase, {"auto": "auto", "peaks": "peaks", "none": None})
    if phase is not None and not isinstance(phase, str) and (not isinstance(phase, tuple) or len(phase) != 2):
        raise _UsageError(f"--phase needs P0,P1 in degrees, got {args.phase!r}")
    baseline = number_or(args.baseline, {"auto": "auto", "whittaker": "whittaker", "polynomial": "polynomial",
                                         "none": None})
    reference = number_or(args.reference, {"auto": "auto", "tms": "tms", "solvent": "solvent", "vendor": "vendor",
                                           "none": None})
    options = {"lb_hz": args.lb_hz, "phase": phase, "reference": reference, "size": args.zero_fill,
               "baseline": int(baseline) if isinstance(baseline, float) else baseline}
    if getattr(args, "nus", None) not in (None, "zero-fill"):
        from .spectra_models.reconstruction import reconstructor
        options["nus"] = reconstructor(args.nus)
    return options


def _run_process(args: argparse.Namespace) -> int:
    from . import spectra
    from .export import SPECTRUM_FORMATS

    _check_output(args.output, SPECTRUM_FORMATS, args.path)
    _check_output(args.plot, PLOT_SUFFIXES, args.path)
    options = _processing_options(args)
    try:
        with warnings.catch_warnings():  # the summary below reports them
            warnings.simplefilter("ignore", spectra.ProcessingWarning)
            spec = spectra.read_processed(args.path) if args.vendor else spectra.process(
                spectra.read(args.path), solvent=args.solvent, **options)
    except spectra.SpectrumReadError as exc:
        print(f"shiftnet process: {exc}", file=sys.stderr)
        return 1
    except ValueError as exc:  # e.g. --reference tms without a TMS line
        raise _UsageError(str(exc)) from None
    if args.denoise is not None:
        spec = spectra.denoise(spec, method=args.denoise)
    axes = [spec.ppm] if spec.ndim == 1 else list(spec.ppm)
    ranges = " x ".join(f"{a[0]:.2f}..{a[-1]:.2f} ppm ({a.size} points)" for a in axes)
    print(f"{args.path}: {spec.nucleus} {ranges}")
    for line in spectra.process_summary(spec):
        print(f"  {line}")
    from .plot import plot_spectrum

    _spectrum_outputs(spec, args.output, args.plot, lambda path: plot_spectrum(spec, path))
    return 0


def _spectrum_outputs(spectrum, output: Path | None, plot: Path | None, draw) -> None:
    """Write ``spectrum`` to ``output`` (format by suffix) and ``draw(plot)`` the picture, when asked."""
    from .export import write_spectrum

    if output is not None:
        _write(write_spectrum, spectrum, output)
        print(f"written: {output}")
    if plot is not None:
        print(f"picture: {draw(plot)}")


def _run_simulate(args: argparse.Namespace) -> int:
    from . import spectra
    from .export import SPECTRUM_FORMATS, write_spectrum

    _check_output(args.output, SPECTRUM_FORMATS)
    _check_output(args.plot, PLOT_SUFFIXES)
    source, mol = args.shifts, None
    if args.smiles is not None:
        from .shifts.predict import predict

        source = predict([args.smiles], solvent=args.solvent)[0]
        if not source.ok:
            raise _UsageError(f"cannot simulate {args.smiles!r}: {source.error}")
        mol = source.mol
    elif args.nucleus == "HSQC":
        if len(args.shifts) % 2:
            raise _UsageError("HSQC --shifts needs 1H 13C pairs (an even number of values)")
        source = list(zip(args.shifts[::2], args.shifts[1::2]))
    try:
        sim = spectra.simulate(source, nucleus=args.nucleus, obs_mhz=args.obs_mhz, n_points=args.points,
                               linewidth_hz=args.linewidth_hz, snr=args.snr, seed=args.seed, solvent=args.solvent)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    _write(write_spectrum, sim.spectrum, args.output)
    peaks_path = args.output.with_name(args.output.stem + "_peaks.csv")
    sim.peaks.to_csv(peaks_path, index=False)
    print(f"written: {args.output} and {peaks_path} ({len(sim.peaks)} peaks)")
    if args.plot is not None:
        from .plot import plot_simulation

        print(f"picture: {plot_simulation(sim, args.plot, mol=mol)}")
    return 0


def _check_output(output: Path | None, suffixes: tuple[str, ...], source: Path | None = None) -> None:
    """Usage errors for an output path: a suffix not in ``suffixes``, or the input itself."""
    from .export import check_not_an_input

    if output is None:
        return
    if output.suffix.lower() not in suffixes:
        raise _UsageError(f"cannot tell the format from {output.name!r}: use {', '.join(suffixes)}")
    try:
        check_not_an_input(output, [source] if source is not None else [])
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _write(writer, value, path: Path) -> None:
    """Call ``writer(value, path)``; a ValueError (format does not fit the data) is a usage error."""
    try:
        writer(value, path)
    except ValueError as exc:
        raise _UsageError(str(exc)) from None


def _is_folder_output(output: str | None, scheduler: str | None) -> bool:
    """Partitioned (Dask) mode: a scheduler, or an output folder (existing, or named with a trailing /)."""
    return bool(scheduler) or (output is not None and (output.endswith(("/", "\\")) or Path(output).is_dir()))


def _run_predict_partitioned(args: argparse.Namespace) -> int:
    """``-i 'library/*.parquet' -o out_dir/``: one Parquet file per input partition, resumable."""
    if args.input is None or args.output is None:
        raise _UsageError("partitioned prediction needs -i FILES (a glob of Parquet/CSV files) and -o FOLDER/")
    try:
        from .dask import predict_to_directory
        counts = predict_to_directory(str(args.input), args.output, scheduler=args.scheduler,
                                      workers=args.workers or 2, nuclei=args.nucleus, solvent=args.solvent)
    except ImportError as exc:
        raise _UsageError(f"partitioned prediction needs Dask: pip install shiftnet[dask] ({exc})") from None
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    print(f"shiftnet: {counts['partitions']} partitions ({counts['written']} written, {counts['skipped']} already "
          f"done); {counts['ok']} of {counts['molecules']} molecules predicted in this run", file=sys.stderr)
    return 0 if counts["ok"] > 0 or counts["written"] == 0 else 1


def _run_predict(args: argparse.Namespace) -> int:
    folder = _is_folder_output(args.output, args.scheduler)
    args.output = Path(args.output) if args.output is not None else None  # a str to keep a trailing "/"
    if folder:
        return _run_predict_partitioned(args)
    from .export import check_not_an_input, output_format
    from .modelfile import ModelFileError
    from .shifts.predict import ShiftPredictor
    from .solvents import solvent_index

    try:
        solvent_index(args.solvent)
        output_format(args.output, args.format)
        check_not_an_input(args.output, [args.input] if args.input is not None else [])
        _check_output(args.plot, PLOT_SUFFIXES, args.input)
        predictor = ShiftPredictor(args.models, workers=args.workers or 0, device=args.device)
        inputs = args.input if args.input is not None else list(args.smiles)
        n_ok, n_total = predictor.predict_to_file(inputs, args.output, args.format, nuclei=args.nucleus,
                                                  solvent=args.solvent, progress=not args.no_progress,
                                                  stream=sys.stdout, plot=args.plot)
    except (ValueError, OSError, ModelFileError) as exc:  # StructureFileError is a ValueError
        raise _UsageError(str(exc)) from None
    print(f"shiftnet: {n_ok} of {n_total} molecules predicted", file=sys.stderr)
    return 0 if n_ok > 0 else 1


def _run_train(args: argparse.Namespace) -> int:
    import logging

    from .nn import resolve_device
    from .shifts.train import ResumeError, TrainConfig, train_shift_model

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    given = [*args.data, args.unassigned, args.outliers, args.dft, *(args.teacher or [])]
    missing = [str(p) for p in given if p is not None and not p.is_file()]
    if missing:
        raise _UsageError(f"file(s) not found: {', '.join(missing)}")
    try:
        resolve_device(args.device)
        if args.distributed and "RANK" not in os.environ:
            raise ValueError("--distributed runs under torchrun: torchrun --nproc_per_node=N -m shiftnet.cli train ...")
    except ValueError as exc:
        raise _UsageError(str(exc)) from None
    config = TrainConfig(dim=args.dim, layers=args.layers, epochs=args.epochs, batch_size=args.batch_size,
                         lr=args.lr, seed=args.seed, threads=args.threads, max_minutes=args.max_minutes,
                         h_weight=args.h_weight, dropout=args.dropout, virtual_node=args.virtual_node,
                         dft_weight=args.dft_weight if args.dft else 0.0, ema_decay=args.ema, device=args.device,
                         distributed=args.distributed)
    try:
        metrics = train_shift_model(args.data, args.out, config, args.unassigned, args.outliers, args.teacher,
                                    args.dft)
    except ResumeError as exc:
        raise _UsageError(str(exc)) from None
    if metrics:  # under --distributed only rank 0 reports
        print(json.dumps(metrics, indent=2))
    return 0


def _raise_interrupt(signum, frame):
    raise KeyboardInterrupt(f"signal {signum}")


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``shiftnet`` console script; returns the exit code."""
    args = _parser().parse_args(argv)
    signal.signal(signal.SIGTERM, _raise_interrupt)  # close outputs cleanly when killed
    handlers = {"predict": _run_predict, "train": _run_train, "process": _run_process,
                "simulate": _run_simulate, "assign": _run_assign, "verify": _run_verify, "pick": _run_pick,
                "train-spectra": _run_train_spectra, "serve": _run_serve, "reconstruct": _run_reconstruct,
                "denoise": _run_denoise}
    try:
        return handlers[args.command](args)
    except _UsageError as exc:
        print(f"shiftnet {args.command}: error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("shiftnet: interrupted; the output written so far is complete and readable", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
