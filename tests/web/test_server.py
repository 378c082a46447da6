"""The served page under load: concurrent requests against 127.0.0.1 all succeed."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from concurrent.futures import ThreadPoolExecutor

SMILES = ["CC(=O)Oc1ccccc1C(=O)O", "Cc1ccc(NC(=O)c2ccc(CN3CCN(C)CC3)cc2)cc1Nc1nccc(-c2cccnc2)n1", "not a smiles"]


def post(url: str, smiles: str) -> tuple[int, dict]:
    data = urllib.parse.urlencode({"smiles": smiles}).encode()
    try:
        with urllib.request.urlopen(url + "api/predict", data=data, timeout=60) as answer:
            return answer.status, json.loads(answer.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def test_twenty_concurrent_requests_all_answer(server):
    with ThreadPoolExecutor(20) as pool:
        answers = list(pool.map(lambda i: post(server, SMILES[i % 3]), range(20)))
    for i, (status, body) in enumerate(answers):
        if SMILES[i % 3] == "not a smiles":
            assert status == 400 and "cannot parse" in body["error"]
        else:
            assert status == 200 and body["spectra"]["13C"]["peaks"]
