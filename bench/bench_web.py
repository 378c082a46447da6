"""Latency and concurrency of the local web page (``shiftnet serve``), against 127.0.0.1 only.

Starts ``shiftnet.web.serve`` in a subprocess on a free local port, waits until the models are
loaded, then (1) times ``--n`` sequential predict requests per molecule (the view's full answer:
prediction, both simulated spectra, drawing, table, JSON), and (2) sends ``--concurrent``
predict requests at once and checks that every one succeeds.

    python bench/bench_web.py --n 30 --concurrent 20
"""

from __future__ import annotations

import argparse
import json
import socket
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

from _common import print_header

MOLECULES = {
    "aspirin": "CC(=O)Oc1ccccc1C(=O)O",
    "imatinib": "Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def post_predict(base: str, smiles: str) -> tuple[float, int, int]:
    """(seconds, HTTP status, answer bytes) of one predict request, JSON parsed."""
    data = urllib.parse.urlencode({"smiles": smiles}).encode()
    start = time.perf_counter()
    try:
        with urllib.request.urlopen(base + "api/predict", data=data, timeout=60) as answer:
            body, status = answer.read(), answer.status
    except urllib.error.HTTPError as exc:
        body, status = exc.read(), exc.code
    json.loads(body)
    return time.perf_counter() - start, status, len(body)


def start_server() -> tuple[subprocess.Popen, str]:
    port = free_port()
    server = subprocess.Popen([sys.executable, "-c", f"from shiftnet.web import serve; serve(port={port})"],
                              stdout=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}/"
    while True:
        try:
            urllib.request.urlopen(base, timeout=2).close()
            return server, base
        except OSError:
            if server.poll() is not None:
                raise SystemExit("the server did not start")
            time.sleep(0.2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=30, help="sequential requests per molecule")
    parser.add_argument("--concurrent", type=int, default=20, help="simultaneous requests")
    args = parser.parse_args()
    print_header(target="127.0.0.1 (local subprocess server)", molecules=MOLECULES)
    start = time.perf_counter()
    server, base = start_server()
    print(f"server ready (models loaded) after {time.perf_counter() - start:.1f} s")
    try:
        for name, smiles in MOLECULES.items():
            post_predict(base, smiles)  # first call for this molecule size
            times = sorted(post_predict(base, smiles)[0] for _ in range(args.n))
            print(f"predict view, {name}: median {1000 * statistics.median(times):.0f} ms, "
                  f"p90 {1000 * times[int(0.9 * (len(times) - 1))]:.0f} ms, max {1000 * times[-1]:.0f} ms "
                  f"({args.n} sequential requests)")
        smiles = list(MOLECULES.values())
        start = time.perf_counter()
        with ThreadPoolExecutor(args.concurrent) as pool:
            results = list(pool.map(lambda i: post_predict(base, smiles[i % len(smiles)]), range(args.concurrent)))
        wall = time.perf_counter() - start
        ok = sum(status == 200 for _, status, _ in results)
        print(f"{args.concurrent} concurrent predict requests: {ok} of {args.concurrent} succeeded, "
              f"wall {wall:.2f} s, slowest {max(t for t, _, _ in results):.2f} s")
        if ok != args.concurrent:
            raise SystemExit(1)
    finally:
        server.terminate()
        server.wait(timeout=20)


if __name__ == "__main__":
    main()
