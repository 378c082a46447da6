"""Assignment and structure verification from unassigned peak lists, on skeleton-split
validation molecules of dev.parquet (experimental NMRShiftDB2 shifts).

Assignment: each molecule's experimental 13C values as a shuffled list of distinct peaks; a
carbon is right when its assigned peak equals its own value within 0.01 ppm (equivalent carbons
and coincident values count as right). Also with 10 % of the peaks removed (scored on carbons
whose peak is still there) and two extra peaks. Ceiling for reference: the same molecules with
their own experimental values plus independent errors of a given MAE as "predictions".

Verification (validation molecules of dev + extra_assigned with 13C and 1H): candidates = the
true structure plus up to 19 other NMRShiftDB2 molecules (dev, extra_assigned, unassigned_13c)
with the same molecular formula and another skeleton, shuffled;
top-1 / top-3 with 13C only, 1H only and both, on clean lists and on "realistic" lists (15 % of
peaks missing, two impurity peaks, a referencing offset uniform in +-0.5 ppm 13C / +-0.05 ppm 1H).
Floor: plain Hungarian matching of the predicted symmetry-class shifts to the distinct peaks
(Student-t cost on (obs - pred) / sigma), candidates scored by total cost.

HOSE floor (``hose.py``, the classical benchmark): mean experimental shift per HOSE code of up to
4 spheres, fitted on dev + extra_assigned molecules of skeleton buckets 2..9 (never validation 0
or test 1); each atom backs off from 4 spheres to fewer (down to the centre atom's element, H
count and aromaticity) until its code has been seen, sigma = robust spread of the training atoms'
leave-one-skeleton-out residuals at that depth. Assignment: its symmetry-class 13C shifts matched
to the distinct peaks by the same optimal Student-t matching, scored like the shiftnet rows;
verification: candidates scored by the total cost of that matching (-inf when a candidate's
SMILES does not parse). No random numbers are drawn for it.

    python bench/bench_verify.py [--n-assign 500] [--n 200] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time
from collections import defaultdict

import numpy as np
import pandas as pd
from rdkit import Chem
from rdkit.Chem.rdMolDescriptors import CalcMolFormula
from scipy.optimize import linear_sum_assignment

from shiftnet.assignment import assign, verify
from shiftnet.assignment.likelihood import MODELS, log_student_t, molecule_sites
from shiftnet.shifts.data import skeleton_key, split_bucket
from shiftnet.shifts.predict import predict

from _common import NMRSHIFTDB2 as DATA, print_header
from hose import HosePredictor, HoseSites, training_rows

#: Impurity peaks are drawn uniformly in these ranges (ppm); offsets uniformly in +- OFFSET.
IMPURITY_RANGE = {"13C": (10.0, 200.0), "1H": (0.5, 9.0)}
OFFSET = {"13C": 0.5, "1H": 0.05}
COLUMN = {"13C": "shifts_13c", "1H": "shifts_1h"}
KEYWORD = {"13C": "peaks_13c", "1H": "peaks_1h"}


def validation_rows(rng: np.random.Generator, n: int, files: tuple[str, ...] = ("dev",),
                    need_1h: bool = False) -> pd.DataFrame:
    """``n`` random skeleton-validation rows (bucket 0) with 13C shifts (and 1H if asked) of
    the assigned tables ``files`` (dev.parquet layout)."""
    table = pd.concat([pd.read_parquet(DATA / f"{name}.parquet") for name in files], ignore_index=True)
    in_val = np.array([split_bucket(skeleton_key(k)) == 0 for k in table["inchikey"]])
    val = table[in_val & table["shifts_13c"].notna().to_numpy()]
    if need_1h:
        val = val[val["shifts_1h"].notna()]
    return val.iloc[rng.permutation(len(val))[:n]].reset_index(drop=True)


def distinct(values) -> np.ndarray:
    """Distinct peak positions (0.01 ppm resolution)."""
    return np.unique(np.round(np.asarray(list(values), dtype=float), 2))


def perturb(peaks: np.ndarray, nucleus: str, rng: np.random.Generator, missing: float,
            offset: bool) -> np.ndarray:
    """Drop ``missing`` of the peaks (at least one when there are 5+), add two impurities, shift."""
    n_drop = int(round(missing * peaks.size)) if peaks.size >= 5 else 0
    kept = np.delete(peaks, rng.choice(peaks.size, n_drop, replace=False))
    extra = rng.uniform(*IMPURITY_RANGE[nucleus], size=2)
    shift = rng.uniform(-OFFSET[nucleus], OFFSET[nucleus]) if offset else 0.0
    return rng.permutation(np.concatenate([kept, extra])) + shift


def t_cost(mean: np.ndarray, sigma: np.ndarray, ppm: np.ndarray, nucleus: str) -> np.ndarray:
    """Student-t cost (-log density) of every peak under every site, shape (sites, peaks)."""
    z = (ppm[None, :] - mean[:, None]) / sigma[:, None]
    return -log_student_t(z, MODELS[nucleus].dof) + np.log(sigma)[:, None]


def hose_assignment(sites: HoseSites, peaks: np.ndarray) -> dict[int, float]:
    """Carbon -> peak of the optimal matching of the HOSE 13C site shifts to ``peaks``."""
    atoms, mean, sigma = sites["13C"]
    rows, cols = linear_sum_assignment(t_cost(mean, sigma, peaks, "13C"))
    return {int(a): float(peaks[j]) for i, j in zip(rows, cols) for a in atoms[i]}


def n_right(observed: dict[int, float], own: dict[int, float], present: list[int]) -> int:
    """Carbons of ``present`` whose assigned peak is their own value (0.01 ppm)."""
    return sum(abs(observed.get(a, np.nan) - own[a]) <= 0.01 for a in present)


def bench_assignment(rows: pd.DataFrame, rng: np.random.Generator, hose: HosePredictor) -> None:
    mols = [Chem.MolFromMolBlock(m, removeHs=False) for m in rows["molblock"]]
    results = predict(mols, nuclei=("13C",))
    right, total, seconds = defaultdict(int), defaultdict(int), 0.0
    for mol, result, shifts in zip(mols, results, rows["shifts_13c"]):
        if not result.ok:
            continue
        own = {int(k): v for k, v in json.loads(shifts).items()}
        hose_sites = hose.sites(mol)
        clean = rng.permutation(distinct(own.values()))
        for name, peaks in (("clean", clean), ("10% missing + 2 extra", perturb(clean, "13C", rng, 0.1, False))):
            start = time.perf_counter()
            frame = assign(result, peaks_13c=peaks.tolist()).frame
            seconds += time.perf_counter() - start
            observed = dict(zip(frame["atom_index"], frame["observed_ppm"]))
            present = [a for a, v in own.items() if np.any(np.abs(peaks - v) < 0.005)]
            total[name] += len(present)
            right[name] += n_right(observed, own, present)
            right["hose " + name] += n_right(hose_assignment(hose_sites, peaks), own, present)
    n = sum(r.ok for r in results)
    print(f"\nassignment: {n} validation molecules, 13C experimental lists "
          f"({seconds / (2 * n) * 1000:.1f} ms per assignment, prediction excluded)")
    for name in total:
        print(f"  {name:24s} carbons right {right[name] / total[name]:.4f}  ({right[name]}/{total[name]} carbons)")
    for name in total:
        print(f"  {name:24s} hose floor carbons right {right['hose ' + name] / total[name]:.4f}  "
              f"({right['hose ' + name]}/{total[name]} carbons)")


def oracle_ceiling(rows: pd.DataFrame, mae_ppm: tuple[float, ...] = (0.25, 0.5, 1.0, 1.37)) -> None:
    """What the assignment test allows: each molecule's own experimental 13C values plus
    independent Laplace errors of a given mean absolute error as "predictions", matched to the
    distinct peaks by |obs - pred| (Hungarian; every peak may take any number of atoms). Its own
    generator, so the shared one is untouched."""
    rng = np.random.default_rng(1)
    print("\nassignment ceiling of a predictor with independent errors (same molecules, clean lists):")
    for mae in mae_ppm:
        right = total = 0
        for shifts in rows["shifts_13c"]:
            own = np.array(list(json.loads(shifts).values()), dtype=float)
            peaks = np.repeat(distinct(own), own.size)
            atoms, chosen = linear_sum_assignment(np.abs(own + rng.laplace(scale=mae, size=own.size) - peaks[:, None]).T)
            right += int(np.sum(np.abs(peaks[chosen] - own[atoms]) <= 0.01))
            total += own.size
        print(f"  prediction MAE {mae:.2f} ppm: carbons right {right / total:.3f}")


def formula_index() -> dict[str, list[tuple[str, str]]]:
    """Molecular formula -> [(skeleton key, SMILES)] over all NMRShiftDB2 files."""
    index = defaultdict(dict)
    for name in ("dev", "extra_assigned", "unassigned_13c"):
        table = pd.read_parquet(DATA / f"{name}.parquet", columns=["smiles", "inchikey"])
        for smiles, key in zip(table["smiles"], table["inchikey"]):
            mol = Chem.MolFromSmiles(smiles) if isinstance(smiles, str) else None
            if mol is not None and isinstance(key, str):
                index[CalcMolFormula(mol)].setdefault(key[:14], smiles)
    return {f: list(v.items()) for f, v in index.items()}


def candidate_sets(rows: pd.DataFrame, rng: np.random.Generator) -> list[tuple[list[str], int]]:
    """Per molecule (candidate SMILES shuffled, position of the true one)."""
    index = formula_index()
    sets = []
    for smiles, key in zip(rows["smiles"], rows["inchikey"]):
        others = [s for k, s in index.get(CalcMolFormula(Chem.MolFromSmiles(smiles)), []) if k != key[:14]]
        chosen = [others[i] for i in rng.permutation(len(others))[:19]]
        order = rng.permutation(len(chosen) + 1)
        candidates = [([smiles] + chosen)[i] for i in order]
        sets.append((candidates, int(np.flatnonzero(order == 0)[0])))
    return sets


def matching_cost(cost: np.ndarray) -> float:
    """Total cost of the optimal matching of sites (rows) to peaks (columns)."""
    rows, cols = linear_sum_assignment(cost)
    return float(cost[rows, cols].sum())


def hungarian_cost(result, peaks: dict[str, np.ndarray]) -> float:
    """Floor: total Student-t cost of the plain optimal matching of site shifts to peaks."""
    total = 0.0
    for nucleus, ppm in peaks.items():
        sites = molecule_sites(result, nucleus)
        total += matching_cost(t_cost(sites.mean_ppm, sites.sigma_ppm, ppm, nucleus))
    return total


def hose_score(sites: HoseSites | None, peaks: dict[str, np.ndarray]) -> float:
    """HOSE floor: minus the total cost of its optimal matching (-inf without sites)."""
    if sites is None:
        return -np.inf
    return -sum(matching_cost(t_cost(sites[n][1], sites[n][2], ppm, n)) for n, ppm in peaks.items())


def hose_candidates(sets: list[tuple[list[str], int]], hose: HosePredictor) -> list[HoseSites | None]:
    """HOSE sites of every candidate SMILES, flat in the order of ``sets`` (None: no parse)."""
    mols = [Chem.MolFromSmiles(s) for candidates, _ in sets for s in candidates]
    return [hose.sites(m) if m is not None else None for m in mols]


def observed_lists(row: pd.Series, nuclei: tuple[str, ...], realistic: bool,
                   rng: np.random.Generator) -> dict[str, np.ndarray]:
    """Shuffled distinct experimental peaks per nucleus, perturbed when ``realistic``."""
    lists = {}
    for nucleus in nuclei:
        peaks = rng.permutation(distinct(json.loads(row[COLUMN[nucleus]]).values()))
        lists[nucleus] = perturb(peaks, nucleus, rng, 0.15, True) if realistic else peaks
    return lists


def rank_of(scores: np.ndarray, truth: int) -> int:
    """1-based rank of the true candidate (ties count against it)."""
    return int(np.sum(scores >= scores[truth]))


def bench_verification(rows: pd.DataFrame, rng: np.random.Generator, hose: HosePredictor) -> None:
    sets = candidate_sets(rows, rng)
    start = time.perf_counter()
    flat = predict([s for candidates, _ in sets for s in candidates])
    predict_seconds = time.perf_counter() - start
    n_candidates = len(flat)
    start = time.perf_counter()
    hose_flat = hose_candidates(sets, hose)
    hose_predict_seconds = time.perf_counter() - start
    print(f"\nverification: {len(rows)} validation molecules with 13C and 1H (dev + extra_assigned), "
          f"{n_candidates / len(rows):.1f} candidates per molecule on average "
          f"({sum(len(c) == 1 for c, _ in sets)} with no same-formula decoy)")
    print(f"{'condition':36s} {'method':10s} {'top-1':>6s} {'top-3':>6s} {'ms/cand':>8s}")
    for realistic in (False, True):
        for nuclei in (("13C",), ("1H",), ("13C", "1H")):
            ranks, floor_ranks, hose_ranks, no_fit, missed, offset = [], [], [], 0, 0, 0
            seconds, hose_seconds = 0.0, 0.0
            for (_, row), (candidates, truth) in zip(rows.iterrows(), sets):
                span, offset = slice(offset, offset + len(candidates)), offset + len(candidates)
                results = flat[span]
                lists = observed_lists(row, nuclei, realistic, rng)
                kwargs = {KEYWORD[n]: v.tolist() for n, v in lists.items()}
                t0 = time.perf_counter()
                result = verify(results, **kwargs)
                seconds += time.perf_counter() - t0
                ranks.append(rank_of(result.frame["probability"].fillna(-1).to_numpy(), truth))
                no_fit += result.no_fit
                decoys = [r for i, r in enumerate(results) if i != truth]
                missed += bool(decoys) and verify(decoys, **kwargs).no_fit
                floor = np.array([-hungarian_cost(r, lists) if r.ok else -np.inf for r in results])
                floor_ranks.append(rank_of(floor, truth))
                t0 = time.perf_counter()
                hose_ranks.append(rank_of(np.array([hose_score(s, lists) for s in hose_flat[span]]), truth))
                hose_seconds += time.perf_counter() - t0
            name = f"{'realistic' if realistic else 'clean'} {'+'.join(nuclei)}"
            ms = {"shiftnet": (seconds + predict_seconds) / n_candidates * 1000, "hungarian": float("nan"),
                  "hose": (hose_seconds + hose_predict_seconds) / n_candidates * 1000}
            for method, r in (("shiftnet", ranks), ("hungarian", floor_ranks), ("hose", hose_ranks)):
                r = np.array(r)
                print(f"{name:36s} {method:10s} {np.mean(r == 1):6.3f} {np.mean(r <= 3):6.3f} {ms[method]:8.2f}")
            n_decoys = sum(len(c) > 1 for c, _ in sets)
            print(f"{'':36s} no-fit flag: {no_fit}/{len(rows)} with the true structure among the candidates, "
                  f"{missed}/{n_decoys} without it")
    print(f"(ms/cand = the batch prediction of all candidates, {predict_seconds:.1f} s, "
          "plus the verify() call, per candidate; hose: its prediction of all candidates, "
          f"{hose_predict_seconds:.1f} s, plus the matching)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--n-assign", type=int, default=500, help="molecules for the assignment test")
    parser.add_argument("--n", type=int, default=200, help="molecules for the verification test")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    print_header(data=DATA, seed=args.seed, validation="skeleton bucket 0 (InChIKey first block)")
    start = time.perf_counter()
    hose = HosePredictor().fit(training_rows(DATA))
    print(f"hose floor: fitted in {time.perf_counter() - start:.1f} s on skeleton buckets 2..9 of dev + extra_assigned")
    print(hose.summary())
    rng = np.random.default_rng(args.seed)
    assignment_rows = validation_rows(rng, args.n_assign)
    bench_assignment(assignment_rows, rng, hose)
    oracle_ceiling(assignment_rows)
    bench_verification(validation_rows(rng, args.n, ("dev", "extra_assigned"), need_1h=True), rng, hose)


if __name__ == "__main__":
    main()
