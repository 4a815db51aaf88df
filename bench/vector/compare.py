"""Runs the hnswlib baseline (the method of shared/data/bench_hnswlib.py: M=16,
ef_construction=64, seed 100, one thread, all queries of a folder per pass,
warm-up + passes for at least MIN_SECONDS) on the same sets as hnsw_inproc's
output file, and prints a markdown table with the ratios hcdb / hnswlib.

    python3 compare.py DATA_DIR HCDB_RESULTS_FILE SET[:u8dim] ...
"""
import os
import sys
import time

import hnswlib
import numpy as np

DATA = sys.argv[1]
sys.path.insert(0, DATA)
import vecs  # noqa: E402

M, EFC, K, SEED = 16, 64, 10, 100
EFS = [10, 20, 40, 80, 160, 320]
REPEATS = int(os.environ.get("REPEATS", "3"))
MIN_SECONDS = float(os.environ.get("MIN_SECONDS", "1.0"))


def hcdb_results(path):
    res = {}
    for line in open(path):
        f = line.split()
        if not f or f[0] != "RESULT":
            continue
        s, metric, thr, bw, bc, mem, ef, rec, qw, qc = f[1], f[2], int(f[5]), float(f[6]), float(f[7]), int(f[8]), int(f[9]), float(f[10]), float(f[11]), float(f[12])
        if thr == 1:
            res[(s, metric, ef)] = (bw, bc, mem, rec, qw, qc)
        else:
            res[(s, metric, "mt")] = (thr, bw, bc)
    return res


def hnswlib_rows(base, query, gt, space):
    idx = hnswlib.Index(space=space, dim=base.shape[1])
    idx.init_index(max_elements=base.shape[0], M=M, ef_construction=EFC, random_seed=SEED)
    idx.set_num_threads(1)
    t0, c0 = time.perf_counter(), time.process_time()
    idx.add_items(base, np.arange(base.shape[0]), num_threads=1)
    build = (time.perf_counter() - t0, time.process_time() - c0)
    rows = {}
    for ef in EFS:
        idx.set_ef(ef)
        labels, _ = idx.knn_query(query, k=K, num_threads=1)
        times, cpu = [], []
        while len(times) < REPEATS or sum(times) < MIN_SECONDS:
            t0, c0 = time.perf_counter(), time.process_time()
            labels, _ = idx.knn_query(query, k=K, num_threads=1)
            times.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
        nq = query.shape[0]
        rows[ef] = (vecs.recall_at_k(labels, gt, K), nq / min(times), nq / float(np.median(cpu)))
    return build, rows


def main():
    hc = hcdb_results(sys.argv[2])
    print("| set | metric | n x dim | build s hcdb 1 thr (cpu) | build s hnswlib 1 thr (cpu) | build ratio | "
          "hcdb 2 thr wall | memory hcdb / raw f32 | ef | recall hcdb | recall hnswlib | QPS hcdb (cpu) | "
          "QPS hnswlib (cpu) | QPS ratio |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for arg in sys.argv[3:]:
        s = arg.split(":")[0]
        d = os.path.join(DATA, s)
        base, query = vecs.load(d, "base"), vecs.load(d, "query")
        for space, gtf in (("l2", "gt_l2_top100.ivecs"), ("cosine", "gt_cos_top100.ivecs")):
            gt = vecs.read_ivecs(os.path.join(d, gtf))
            build, rows = hnswlib_rows(base, query, gt, space)
            mt = hc.get((s, space, "mt"), (0, 0.0, 0.0))
            for ef in EFS:
                h = hc.get((s, space, ef))
                if not h:
                    continue
                rec, qw, qc = rows[ef]
                raw = base.shape[0] * base.shape[1] * 4
                print(f"| {s} | {space} | {base.shape[0]}x{base.shape[1]} | {h[1]:.2f} | {build[1]:.2f} | "
                      f"{h[1] / build[1]:.2f} | {mt[1]:.2f} | {h[2] / raw:.2f} | {ef} | {h[3]:.4f} | {rec:.4f} | "
                      f"{h[5]:,.0f} | {qc:,.0f} | {h[5] / qc:.2f} |", flush=True)


if __name__ == "__main__":
    main()
