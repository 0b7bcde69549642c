"""Rows per second and peak memory of the read API's tidy stream of 193 countries.

    .venv/bin/python bench/bench_api.py       # SQLite in a temporary directory
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/msq_bench .venv/bin/python \
        bench/bench_api.py

It builds the data set of bench_exports.py (193 Member States, every question
answered with long multi-script texts, 5 links per links question), makes a
reviewer's token, then in a fresh child process per format calls
/api/v1/editions (the baseline: Django loaded, one API call served) and then
streams /api/v1/editions/msq-2020/tidy.{csv,jsonl} through Django's WSGI
handler, reading it piece by piece as a client would. It reports rows, bytes,
rows/s and the child's peak resident memory (VmHWM) before and after the
stream: constant memory means the stream adds little whatever its size.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_exports import ROOT, _peak_rss_mb, _setup, prepare


def child(fmt: str, secret: str) -> None:
    from django.test import Client

    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}", HTTP_HOST="127.0.0.1")
    assert client.get("/api/v1/editions").status_code == 200
    baseline = _peak_rss_mb()
    start = time.perf_counter()
    response = client.get(f"/api/v1/editions/msq-2020/tidy.{fmt}")
    assert response.status_code == 200, response.status_code
    size = rows = 0
    for piece in response.streaming_content:
        size += len(piece)
        rows += piece.count(b"\n")
    seconds = time.perf_counter() - start
    # A JSON line is a row; in CSV an answer with line breaks spans several lines, so
    # CSV reports lines (the header included) and the JSON lines run gives the rows.
    unit = "lines" if fmt == "csv" else "rows"
    print(
        json.dumps(
            {
                "format": fmt,
                unit: rows,
                "mb": round(size / 1e6, 1),
                "seconds": round(seconds, 1),
                f"{unit}_per_s": round(rows / seconds),
                "baseline_peak_mb": round(baseline),
                "peak_mb": round(_peak_rss_mb()),
            }
        )
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--child", nargs=2, metavar=("FORMAT", "TOKEN"))
    parser.add_argument("--workdir")
    parser.add_argument(
        "--countries", type=int, default=193, help="submissions streamed (the first N by name)"
    )
    args = parser.parse_args()
    if args.child:
        _setup(Path(args.workdir))
        child(*args.child)
        return
    with tempfile.TemporaryDirectory() as workdir:
        _setup(Path(workdir))
        prepare(countries=args.countries)
        from api.services import api_token_create
        from tests.factories import ReviewerFactory

        _token, secret = api_token_create(user=ReviewerFactory(), name="bench")
        for fmt in ("csv", "jsonl"):
            subprocess.run(
                [
                    sys.executable,
                    str(Path(__file__).resolve()),
                    "--child",
                    fmt,
                    secret,
                    "--workdir",
                    workdir,
                ],
                check=True,
                cwd=ROOT,
            )


if __name__ == "__main__":
    main()
