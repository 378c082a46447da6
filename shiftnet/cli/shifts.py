"""``shiftnet predict`` and ``shiftnet train``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
import json
import os

from .common import PLOT_SUFFIXES, UsageError, check_output

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


def add_parsers(commands) -> None:
    """The predict and train subcommands."""
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
    predict.add_argument("--accurate", action="store_true",
                         help="the shipped two-network ensemble: lower error, about 20 %% slower")
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
    train.add_argument("--outliers", type=Path, help="CSV of doubtful training labels to leave out (mol_id, atom_index, "
                       "optional nucleus 13C / 1H; default 13C)")
    train.add_argument("--teacher", nargs="+", type=Path, default=None,
                       help="model files whose ensemble is distilled into the new model")
    train.add_argument("--unassigned-weight", type=float, default=0.5,
                       help="weight of the matched unassigned 13C targets relative to assigned labels")
    train.add_argument("--match", choices=["sorted", "sigma"], default="sorted",
                       help="matching of the unassigned 13C lists in the loss: sorted inside each multiplicity "
                            "group, or Hungarian on the model's own sigma-scaled Gaussian cost")
    train.add_argument("--rematch", nargs="+", type=Path, default=None, metavar="PT",
                       help="model file(s) whose ensemble fixes the matching of the unassigned lists once, "
                            "before training (Hungarian on their sigma-scaled cost)")
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


def _is_folder_output(output: str | None, scheduler: str | None) -> bool:
    """Partitioned (Dask) mode: a scheduler, or an output folder (existing, or named with a trailing /)."""
    return bool(scheduler) or (output is not None and (output.endswith(("/", "\\")) or Path(output).is_dir()))


def _run_predict_partitioned(args: argparse.Namespace) -> int:
    """``-i 'library/*.parquet' -o out_dir/``: one Parquet file per input partition, resumable."""
    if args.input is None or args.output is None:
        raise UsageError("partitioned prediction needs -i FILES (a glob of Parquet/CSV files) and -o FOLDER/")
    if args.accurate or args.models:
        raise UsageError("partitioned prediction uses the fast default model; --accurate / --models need one output file")
    try:
        from ..dask import predict_to_directory
        counts = predict_to_directory(str(args.input), args.output, scheduler=args.scheduler,
                                      workers=args.workers or 2, nuclei=args.nucleus, solvent=args.solvent)
    except ImportError as exc:
        raise UsageError(f"partitioned prediction needs Dask: pip install shiftnet[dask] ({exc})") from None
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    print(f"shiftnet: {counts['partitions']} partitions ({counts['written']} written, {counts['skipped']} already "
          f"done); {counts['ok']} of {counts['molecules']} molecules predicted in this run", file=sys.stderr)
    return 0 if counts["ok"] > 0 or counts["written"] == 0 else 1


def run_predict(args: argparse.Namespace) -> int:
    folder = _is_folder_output(args.output, args.scheduler)
    args.output = Path(args.output) if args.output is not None else None  # a str to keep a trailing "/"
    if folder:
        return _run_predict_partitioned(args)
    from ..export import check_not_an_input, output_format
    from ..modelfile import ModelFileError
    from ..shifts.predict import ShiftPredictor
    from ..solvents import solvent_index

    try:
        solvent_index(args.solvent)
        output_format(args.output, args.format)
        check_not_an_input(args.output, [args.input] if args.input is not None else [])
        check_output(args.plot, PLOT_SUFFIXES, args.input)
        if args.accurate and args.models:
            raise UsageError("--accurate and --models both choose the models; give one")
        predictor = ShiftPredictor(args.models, workers=args.workers or 0, device=args.device, accurate=args.accurate)
        inputs = args.input if args.input is not None else list(args.smiles)
        n_ok, n_total = predictor.predict_to_file(inputs, args.output, args.format, nuclei=args.nucleus,
                                                  solvent=args.solvent, progress=not args.no_progress,
                                                  stream=sys.stdout, plot=args.plot)
    except (ValueError, OSError, ModelFileError) as exc:  # StructureFileError is a ValueError
        raise UsageError(str(exc)) from None
    print(f"shiftnet: {n_ok} of {n_total} molecules predicted", file=sys.stderr)
    return 0 if n_ok > 0 else 1


def run_train(args: argparse.Namespace) -> int:
    import logging

    from ..nn import resolve_device
    from ..shifts.train import ResumeError, TrainConfig, train_shift_model

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s", stream=sys.stderr)
    given = [*args.data, args.unassigned, args.outliers, args.dft, *(args.teacher or []), *(args.rematch or [])]
    missing = [str(p) for p in given if p is not None and not p.is_file()]
    if missing:
        raise UsageError(f"file(s) not found: {', '.join(missing)}")
    try:
        resolve_device(args.device)
        if args.distributed and "RANK" not in os.environ:
            raise ValueError("--distributed runs under torchrun: torchrun --nproc_per_node=N -m shiftnet.cli train ...")
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    config = TrainConfig(dim=args.dim, layers=args.layers, epochs=args.epochs, batch_size=args.batch_size,
                         lr=args.lr, seed=args.seed, threads=args.threads, max_minutes=args.max_minutes,
                         h_weight=args.h_weight, dropout=args.dropout, virtual_node=args.virtual_node,
                         dft_weight=args.dft_weight if args.dft else 0.0, ema_decay=args.ema, device=args.device,
                         distributed=args.distributed, match=args.match,
                         unassigned_weight=args.unassigned_weight)
    try:
        metrics = train_shift_model(args.data, args.out, config, args.unassigned, args.outliers, args.teacher,
                                    args.dft, args.rematch)
    except ResumeError as exc:
        raise UsageError(str(exc)) from None
    if metrics:  # under --distributed only rank 0 reports
        print(json.dumps(metrics, indent=2))
    return 0


HANDLERS = {"predict": run_predict, "train": run_train}
