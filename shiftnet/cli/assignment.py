"""``shiftnet assign`` and ``shiftnet verify``."""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

from .common import PLOT_SUFFIXES, UsageError, check_output, readable_errors, write_checked

ASSIGN_EXAMPLES = """examples:
  shiftnet assign --smiles "CCOC(C)=O" --peaks-13c "14.2,21.0,60.4,171.1" -o ethyl_acetate.nmredata.sdf
  shiftnet assign --smiles "CC(C)Cc1ccc(C(C)C(=O)O)cc1" --peaks-13c "181.0,140.9,137.0,129.4,127.3,45.0,45.0q,30.2,22.4,18.1" \\
                  --peaks-1h "7.21:2,7.10:2,3.70:1,2.45:2,1.85:1,1.50:3,0.90:6" --solvent CDCl3 -o ibuprofen.json
"""

VERIFY_EXAMPLES = """examples:
  shiftnet verify --candidates "CCOC(C)=O" "COC(=O)CC" "CC(=O)OC" --peaks-13c "14.2,21.0,60.4,171.1"
  shiftnet verify --candidates isomers.smi --peaks-13c "..." --peaks-1h "..." -o report.csv
"""


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


def add_parsers(commands) -> None:
    """The assign and verify subcommands."""
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
    from ..assignment.observed import parse_peak_text

    data = {key: path for key, path in (("13C", args.data_13c), ("1H", args.data_1h), ("HSQC", args.data_hsqc),
                                        ("HMBC", args.data_hmbc), ("DEPT135", args.data_dept135),
                                        ("DEPT90", args.data_dept90)) if path}
    if not (args.peaks_13c or args.peaks_1h or args.hsqc or data):
        raise UsageError("give observed peaks (--peaks-13c, --peaks-1h, --hsqc) or raw data (--data-13c, ...)")
    try:
        return {"peaks_13c": parse_peak_text(args.peaks_13c, "13C") if args.peaks_13c else None,
                "peaks_1h": parse_peak_text(args.peaks_1h, "1H") if args.peaks_1h else None,
                "hsqc": parse_peak_text(args.hsqc, "HSQC") if args.hsqc else None,
                "hmbc": parse_peak_text(args.hmbc, "HSQC") if args.hmbc else None, "data": data or None}
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def _with_observed(function, args: argparse.Namespace, structures):
    """``function(structures, <observed lists and data>, solvent, k)`` for assign / verify."""
    observed = _observed_lists(args)
    with readable_errors(), warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # processing notes of raw data
        return function(structures, solvent=args.solvent, k=args.k, **observed)


def run_assign(args: argparse.Namespace) -> int:
    from ..assignment import assign
    from ..assignment.nmredata import ASSIGNMENT_FORMATS, write_assignment

    check_output(args.output, ASSIGNMENT_FORMATS)
    check_output(args.plot, PLOT_SUFFIXES)
    result = _with_observed(assign, args, args.smiles)
    if args.output is None:
        print(result.frame.round(3).to_string(index=False))
    else:
        print(f"written: {write_assignment(result, args.output, args.larmor_mhz)}")
    if args.plot is not None:
        from ..plot import plot_assignment

        print(f"picture: {plot_assignment(result, args.plot)}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from ..assignment import verify
    from ..assignment.nmredata import write_verification

    candidates = args.candidates
    if len(candidates) == 1 and Path(candidates[0]).is_file():
        candidates = Path(candidates[0])
    result = _with_observed(verify, args, candidates)
    if args.output is None:
        print(result.frame.round(3).to_string(index=False))
    else:
        write_checked(write_verification, result, args.output)
        print(f"written: {args.output}")
    if result.no_fit:
        print("shiftnet verify: warning: no candidate explains the peaks well (all fit poorly)", file=sys.stderr)
    return 0 if result.frame["error"].isna().any() else 1


HANDLERS = {"assign": run_assign, "verify": run_verify}
