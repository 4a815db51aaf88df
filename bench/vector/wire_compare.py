"""Joins wire_bench's output with the hnswlib reference run here, in-process, on the same sets
(the method of compare.py: M=16, ef_construction=64, one thread, wall-clock QPS of the best pass),
and prints the markdown tables of bench/RESULTS.md with the ratios hcdb / hnswlib.

    python3 wire_compare.py DATA_DIR WIRE_BENCH_OUTPUT      (MAX_QUERIES as given to wire_bench)
"""
import os
import sys
from collections import defaultdict

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import compare  # noqa: E402  (hnswlib_rows, vecs, with DATA_DIR = sys.argv[1])

vecs = compare.vecs


def parse(path):
    load, build, search, clients = {}, defaultdict(dict), defaultdict(dict), defaultdict(dict)
    for line in open(path):
        f = line.split()
        if not f:
            continue
        if f[0] == "LOAD":
            load[(f[1], f[2])] = (int(f[3]), int(f[4]), float(f[5]), float(f[6]))
        elif f[0] == "BUILD":
            build[(f[1], f[2])][int(f[3])] = (float(f[4]), int(f[5]))
        elif f[0] == "SEARCH":
            search[(f[1], f[2])][int(f[3])] = (float(f[4]), float(f[5]))
        elif f[0] == "CLIENTS":
            clients[(f[1], f[2])][int(f[4])] = float(f[5])
    return load, build, search, clients


def main():
    load, build, search, clients = parse(sys.argv[2])
    nq = int(os.environ.get("MAX_QUERIES", "1000"))
    print("| set | metric | n x dim | COPY text s | COPY binary s | build s hcdb 1 thr | build s hnswlib 1 thr | "
          "build ratio | build s hcdb all thr | index bytes / raw f32 | ef | recall hcdb | recall hnswlib | "
          "QPS hcdb wire 1 client | QPS hnswlib in-process | QPS ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    ref = {}
    for (s, metric), (n, dim, ct, cb) in load.items():
        d = os.path.join(compare.DATA, s)
        base, query = vecs.load(d, "base"), vecs.load(d, "query")[:nq]
        gt = vecs.read_ivecs(os.path.join(d, "gt_cos_top100.ivecs" if metric == "cosine" else "gt_l2_top100.ivecs"))
        hb, rows = compare.hnswlib_rows(base, query, gt[:query.shape[0]], metric)
        b1 = build[(s, metric)][1]
        ball = max(build[(s, metric)].items())[1]
        raw = n * dim * 4
        for ef, (rec, qps) in sorted(search[(s, metric)].items()):
            hrec, hqps, _ = rows[ef]
            ref[(s, metric, ef)] = hqps
            print(f"| {s} | {metric} | {n}x{dim} | {ct:.2f} | {cb:.2f} | {b1[0]:.2f} | {hb[0]:.2f} | "
                  f"{b1[0] / hb[0]:.2f} | {ball[0]:.2f} | {ball[1] / raw:.2f} | {ef} | {rec:.4f} | {hrec:.4f} | "
                  f"{qps:,.0f} | {hqps:,.0f} | {qps / hqps:.2f} |", flush=True)
    print()
    print("| set | metric | ef | clients | QPS hcdb wire | QPS hnswlib in-process, 1 thread | ratio |")
    print("|---|---|---|---|---|---|---|")
    for (s, metric), per in clients.items():
        for n, qps in sorted(per.items()):
            h = ref[(s, metric, 40)]
            print(f"| {s} | {metric} | 40 | {n} | {qps:,.0f} | {h:,.0f} | {qps / h:.2f} |")


if __name__ == "__main__":
    main()
