"""Second-order 1H spectra: exact lines of strongly coupled spin-1/2 clusters (numpy only).

A cluster's Hamiltonian in Hz (rotating frame, liquid state)

    H = sum_i nu_i Iz_i + sum_{i<j} J_ij (Ix_i Ix_j + Iy_i Iy_j + Iz_i Iz_j)

is block-diagonal in the total magnetisation M of the product basis; each block is
diagonalised exactly, and the observable lines are the transitions M -> M - 1 of
``F- = sum_k I-_k`` with intensity ``|<f|F-|i>|^2`` at ``E_i - E_f``. A line is attributed
to the spin group whose shift is nearest to it.

:func:`strong_clusters` decides where this is needed: spins joined by a coupling with
``|delta nu| < STRONG_RATIO * |J|`` (chemically different spins only) form a cluster; a
connected coupling network that holds such a pair and has at most :data:`MAX_SPINS` spins is
solved as a whole (ABX exactly), a larger one keeps only its strong clusters exact (their weak
couplings to the rest split the lines first order) and the rest first order.
"""

from __future__ import annotations

import numpy as np
from scipy.sparse.csgraph import connected_components

from .multiplets import multiplet

__all__ = ["STRONG_RATIO", "MAX_SPINS", "strong_clusters", "cluster_lines", "spin_system_lines"]

#: A coupling is strong when the shift difference is below this multiple of |J|.
STRONG_RATIO = 10.0
#: Largest cluster solved exactly (2**8 states; blocks up to 70 x 70). Larger clusters give
#: thousands of weak combination lines, which cost more to render than to compute.
MAX_SPINS = 8
#: Transitions weaker than this fraction of the strongest line are dropped.
_MIN_INTENSITY = 1e-4
#: Lines closer than this (Hz) are merged (at their intensity-weighted mean position).
_MERGE_HZ = 0.01


def _components(n: int, pairs: np.ndarray) -> np.ndarray:
    """Connected-component label per spin for an edge list ``(k, 2)``."""
    adjacency = np.zeros((n, n), dtype=bool)
    if pairs.size:
        adjacency[pairs[:, 0], pairs[:, 1]] = adjacency[pairs[:, 1], pairs[:, 0]] = True
    return connected_components(adjacency, directed=False)[1]


def strong_clusters(shifts_hz: np.ndarray, j_hz: np.ndarray, group: np.ndarray) -> list[np.ndarray]:
    """Spin indices of the clusters to solve exactly (each of at most :data:`MAX_SPINS` spins).

    Parameters
    ----------
    shifts_hz : shift of each spin in Hz, shape ``(n,)``.
    j_hz : symmetric coupling matrix in Hz, shape ``(n, n)`` (0 = not coupled).
    group : equivalence group of each spin (same shift), shape ``(n,)``; couplings within a
        group never make a pair strong.

    Returns
    -------
    list of int arrays, disjoint; spins in none of them are treated first order.
    """
    n = shifts_hz.size
    i, k = np.nonzero(np.triu(j_hz != 0, 1))
    coupled = np.column_stack([i, k])
    strong = (group[i] != group[k]) & (np.abs(shifts_hz[i] - shifts_hz[k]) < STRONG_RATIO * np.abs(j_hz[i, k]))
    network, sub = _components(n, coupled), _components(n, coupled[strong])
    clusters = []
    for label in np.unique(network):
        members = np.flatnonzero(network == label)
        if not np.any(strong & (network[i] == label)):
            continue
        if members.size <= MAX_SPINS:
            clusters.append(members)
            continue
        for part in np.unique(sub[members]):
            spins = np.flatnonzero(sub == part)
            if 1 < spins.size <= MAX_SPINS and np.unique(group[spins]).size > 1:
                clusters.append(spins)
    return clusters


def _hamiltonian(shifts_hz: np.ndarray, j_hz: np.ndarray, bits: np.ndarray) -> np.ndarray:
    """Dense Hamiltonian in the product basis; ``bits[s, k]`` = 1 when spin k is up in state s."""
    m = bits - 0.5
    jz = np.triu(j_hz, 1)
    h = np.diag(m @ shifts_hz + np.einsum("si,ij,sj->s", m, jz, m))
    states = np.arange(bits.shape[0])
    for a, b in zip(*np.nonzero(jz)):
        flip = bits[:, a] != bits[:, b]
        h[states[flip], states[flip] ^ ((1 << a) | (1 << b))] += jz[a, b] / 2.0
    return h


def _lowering(bits: np.ndarray) -> np.ndarray:
    """Dense ``F- = sum_k I-_k`` in the product basis: ``F[s ^ bit_k, s] = 1`` where spin k is up in s."""
    size, n = bits.shape
    f = np.zeros((size, size))
    for k in range(n):
        up = np.flatnonzero(bits[:, k])
        f[up ^ (1 << k), up] = 1.0
    return f


def cluster_lines(shifts_hz: np.ndarray, j_hz: np.ndarray, group: np.ndarray) -> tuple[np.ndarray, ...]:
    """Exact lines of one spin cluster.

    Parameters
    ----------
    shifts_hz : shift of each spin in Hz, shape ``(n,)`` (cost grows as ``4**n``; :data:`MAX_SPINS`).
    j_hz : symmetric couplings in Hz, shape ``(n, n)``.
    group : label of each spin's equivalence group, shape ``(n,)``.

    Returns
    -------
    freqs_hz : line positions in Hz (same origin as ``shifts_hz``), shape ``(m,)``.
    intensities : summing to ``n`` (one per spin, as first-order multiplets), shape ``(m,)``.
    owner : the group label of each line: the group whose shift is nearest to it, shape ``(m,)``.
    """
    n = shifts_hz.size
    centre = float(np.mean(shifts_hz))
    bits = (np.arange(2**n)[:, None] >> np.arange(n)) & 1
    h = _hamiltonian(shifts_hz - centre, j_hz, bits)
    lowering = _lowering(bits)
    ups = bits.sum(axis=1)
    blocks = [np.flatnonzero(ups == u) for u in range(n + 1)]
    eig = [np.linalg.eigh(h[np.ix_(idx, idx)]) for idx in blocks]
    freqs, amps = [], []
    for u in range(1, n + 1):
        (hi_e, hi_v), (lo_e, lo_v) = eig[u], eig[u - 1]
        amplitude = lo_v.T @ lowering[np.ix_(blocks[u - 1], blocks[u])] @ hi_v
        freqs.append((hi_e[None, :] - lo_e[:, None]).ravel())
        amps.append((amplitude**2).ravel())
    freqs, amps = np.concatenate(freqs) + centre, np.concatenate(amps)
    keep = amps > _MIN_INTENSITY * amps.max()
    freqs, amps = freqs[keep], amps[keep] * n / amps[keep].sum()
    owners = group[np.argmin(np.abs(freqs[:, None] - shifts_hz[None, :]), axis=1)]
    return _merge(freqs, amps, owners)


def _merge(freqs: np.ndarray, amps: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, ...]:
    """Sum lines of the same owner closer than :data:`_MERGE_HZ` (chained) into one."""
    order = np.lexsort((freqs, owners))
    freqs, amps, owners = freqs[order], amps[order], owners[order]
    new = np.ones(freqs.size, dtype=bool)
    new[1:] = (np.diff(freqs) > _MERGE_HZ) | (owners[1:] != owners[:-1])
    index = np.cumsum(new) - 1
    total = np.bincount(index, weights=amps)
    return np.bincount(index, weights=amps * freqs) / total, total, owners[new]


def _coupling_matrix(n: int, couplings: list[tuple[int, int, float]], group: np.ndarray) -> np.ndarray:
    """Symmetric J matrix in Hz; couplings within an equivalence group are left out (no effect
    between magnetically equivalent spins, and first-order multiplets ignore them too)."""
    j_hz = np.zeros((n, n))
    for i, k, value in couplings:
        if group[i] != group[k]:
            j_hz[i, k] = j_hz[k, i] = value
    return j_hz


def _first_order(spin: int, partners: np.ndarray, shifts_hz: np.ndarray, j_hz: np.ndarray,
                 roofing: bool) -> tuple[np.ndarray, np.ndarray]:
    delta = shifts_hz[partners] - shifts_hz[spin] if roofing else None
    return multiplet(j_hz[spin, partners], delta)


def spin_system_lines(shifts_hz: np.ndarray, couplings: list[tuple[int, int, float]], group: np.ndarray,
                      roofing: bool = True, second_order: bool = True) -> list[tuple[int, np.ndarray, np.ndarray, int]]:
    """Every line of a set of 1H spins: exact for the :func:`strong_clusters`, first order elsewhere.

    Parameters
    ----------
    shifts_hz : shift of each spin in Hz, shape ``(n,)``.
    couplings : ``(spin_i, spin_k, J_hz)`` between spin positions.
    group : equivalence group of each spin (equal shifts), ints, shape ``(n,)``.
    roofing : first-order multiplets lean toward their partners (AB weights).
    second_order : solve strongly coupled clusters exactly (False: all first order).

    Returns
    -------
    list of ``(group, offsets_hz, weights, spin)``: line offsets from the group's shift and
    their intensities (summing to 1 per spin), attributed to ``spin``.
    """
    n = shifts_hz.size
    j_hz = _coupling_matrix(n, couplings, group)
    clusters = strong_clusters(shifts_hz, j_hz, group) if second_order else []
    cluster_of = np.full(n, -1)
    for c, spins in enumerate(clusters):
        cluster_of[spins] = c
    out = []
    for c, spins in enumerate(clusters):
        freqs, amps, owners = cluster_lines(shifts_hz[spins], j_hz[np.ix_(spins, spins)], group[spins])
        for g in np.unique(owners):
            members = spins[group[spins] == g]
            rep = members[0]
            outside = np.flatnonzero((j_hz[rep] != 0) & (cluster_of != c))
            split, split_w = _first_order(rep, outside, shifts_hz, j_hz, roofing)
            offsets = ((freqs[owners == g] - shifts_hz[rep])[:, None] + split[None, :]).ravel()
            weights = (amps[owners == g][:, None] * split_w[None, :]).ravel() / members.size
            out += [(int(g), offsets, weights, int(m)) for m in members]
    for spin in np.flatnonzero(cluster_of < 0):
        offsets, weights = _first_order(spin, np.flatnonzero(j_hz[spin] != 0), shifts_hz, j_hz, roofing)
        out.append((int(group[spin]), offsets, weights, int(spin)))
    return out
