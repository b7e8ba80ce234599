#!/usr/bin/env python3
# SPDX-License-Identifier: BSL-1.0
"""Turns Google Benchmark JSON files (and the W9 measurements) into docs/benchmarks.md and a
PNG bar chart drawn with gnuplot. Usage: bench_report.py RESULTS_DIR OUT_MD OUT_PNG"""
import glob
import json
import os
import platform
import subprocess
import sys

res_dir, out_md, out_png = sys.argv[1:4]

# Reference figures: the fastest peer (tokio, futures, smol, async-std, Asio) on the same
# workload, the median of the side-by-side run of 2026-12-05 (../shared/peers,
# results/side_by_side-20261205T054924Z.md; same kind of 2-core machine), and what eddy aims
# for: the open performance issue's ratio to that peer where it names one, else staying ahead.
REFERENCE = {
    "w1": ("asio-try 20.8", "< 20.8"), "w2": ("asio-try 10.7", "<= 9.6"),
    "w3": ("asio-try 68.6", "<= 41.2"), "w4": ("tokio 195", "< 195"),
    "w5_spawn_join_st": ("tokio 186", "<= 93"), "w5_spawn_join_mt": ("smol 369", "<= 185"),
    "w6_stream": ("rpp 0.263", "<= 0.263"), "w6c": ("asio-try 29.4", "<= 26.5"),
    "w7a": ("smol 525", "< 525"), "w7b": ("smol 0.758", "<= 0.68"),
    "w8": ("smol 149", "< 149"), "c3_combine": ("rpp 15.6", "< 15.6"),
    "c3_merge": ("rxcpp 6.47", "<= 4.5"),
}


def reference(name):
    low = name.lower()
    for key, ref in REFERENCE.items():
        if low.startswith(key):
            return ref
    return ("", "")


rows = []
context = {}
for path in sorted(glob.glob(os.path.join(res_dir, "*.json"))):
    with open(path) as f:
        data = json.load(f)
    context = data.get("context", context)
    binary = os.path.basename(path)[: -len(".json")]
    for b in data.get("benchmarks", []):
        if b.get("run_type") == "aggregate":
            continue
        # keep the arguments (ordered_merge_n/4), drop Google Benchmark's run options
        parts = b["name"].split("/")
        name = "/".join(p for p in parts if not p.startswith("iterations:")
                        and p not in ("real_time", "manual_time"))
        if name.startswith("sbs/"):  # sbs/<workload>/<peer>: the side-by-side names
            name = name[len("sbs/"):]
        ns = b.get("sbs_ns")  # wall ns per operation where the benchmark gives it
        for key in () if ns is not None else ("ns/op", "ns/item", "per_item", "overhead ns/timer"):
            if key in b:
                v = b[key]
                # rate counters inverted by the benchmark come in seconds per item
                ns = v * 1e9 if key == "per_item" or (key != "overhead ns/timer" and v < 1e-3) else v
                break
        items = b.get("items_per_second", b.get("items/s"))
        if items is None and ns:
            items = 1e9 / ns
        allocs = b.get("allocs/op")
        rows.append((binary, name, ns, items, allocs))


def fmt(v, digits=1):
    if v is None:
        return ""
    if v >= 1e6:
        return f"{v / 1e6:.{digits}f} M"
    return f"{v:.{digits}f}"


lines = [
    "# eddy benchmarks",
    "",
    "Written by `scripts/bench` (do not edit by hand). Each figure is one run of Google Benchmark",
    "on the machine below, ns per operation (lower is better) or items per second; `allocs/op`",
    "counts global `operator new` calls per operation. \"best peer\" is the fastest of tokio,",
    "futures, smol, async-std, Asio, ReactivePlusPlus and RxCpp on the same workload (median of",
    "the side-by-side run named in `scripts/lib/bench_report.py`, same kind of machine), and",
    "\"target\" what eddy aims for; only ratios taken in the same sitting mean much on a shared",
    "2-core VM.",
    "",
    "Workloads: W1 one producer task sends 10M u64 to one consumer over an unbounded `mpsc`",
    "channel; W2 the same, bounded 1024; W3 4 producers, one consumer, bounded 1024, on",
    "`thread_pool{2}`; W4 1M request/response round trips over `mpsc` + `oneshot`; W5 spawn and",
    "join 2M trivial tasks (`local_runtime`, `thread_pool{2}`); W6 `map | filter | scan` over 10M",
    "items (W6c: source, map, filter, scan and sink as five tasks joined by four `mpsc` channels);",
    "W7a 100k concurrent sleeps of 0-50 ms (overhead per timer); W7b `timeout` around a ready",
    "value; W8 4 tasks x 10M",
    "lock/unlock of an async `mutex`; W9 the compile cost of a 20-operator pipeline (below); C3",
    "`merge` / `ordered_merge` of 4 and `combine_latest` of 3 synchronous streams (1M items).",
    "Each `bench/*.cpp` says what its benchmarks do; a benchmark named `<workload>/<peer>` is the",
    "one the side-by-side harness of the peer benchmarks compares with the peers (`sbs/...` in the",
    "binary, with the counter `sbs_ns`).",
    "",
    f"- machine: {platform.machine()}, {context.get('num_cpus', '?')} CPUs at "
    f"{context.get('mhz_per_cpu', '?')} MHz, {platform.platform()}",
    f"- compiler: {subprocess.run(['g++', '--version'], capture_output=True, text=True).stdout.splitlines()[0]}, -O3 (CMake release; benchmark loops aligned to 32 bytes, bench/CMakeLists.txt)",
    f"- date: {context.get('date', '?')}; load average when written: "
    f"{' '.join(f'{x:.1f}' for x in os.getloadavg())} (figures taken on a busy machine are upper bounds)",
    "",
    "| binary | benchmark | ns/op | items/s | allocs/op | best peer ns/op | target |",
    "|---|---|---:|---:|---:|---:|---:|",
]
for binary, name, ns, items, allocs in rows:
    peer, target = reference(name)
    lines.append(f"| {binary.replace('eddy_bench_', '')} | {name} | {fmt(ns, 2)} | {fmt(items)} | "
                 f"{'' if allocs is None else f'{allocs:.3g}'} | {peer} | {target} |")

w9 = [os.path.join(res_dir, f"w9_time_{i}.txt") for i in (1, 2, 3)]
if all(os.path.exists(p) for p in w9):
    times = sorted(float(open(p).read().split()[0]) for p in w9)
    mem = max(int(open(p).read().split()[1]) for p in w9) / 1024
    text = int(open(os.path.join(res_dir, "w9_text.txt")).read())
    lines += ["", "## W9: compile time of a 20-operator pipeline translation unit", "",
              "| measure | eddy | ReactivePlusPlus (reference measurement) | aim |", "|---|---:|---:|---:|",
              f"| g++ -O2 wall time (median of 3) | {times[1]:.2f} s | 2.8 s | 1.4 s |",
              f"| peak compiler memory | {mem:.0f} MiB | 266 MiB | 133 MiB |",
              f"| .text of the object | {text} B | | |"]
    base = os.path.join(res_dir, "w9_base.txt")
    if os.path.exists(base):
        b = float(open(base).read().split()[0])
        lines.append(f"| the same TU with no operators (headers only) | {b:.2f} s | 1.7-2.0 s | |")
        lines.append(f"| cost per operator | {(times[1] - b) / 20 * 1000:.0f} ms | 48 ms | 24 ms |")

with open(out_md, "w") as f:
    f.write("\n".join(lines) + "\n")

chart = [(n, v) for _, n, v, _, _ in rows if v is not None and v > 0]
if chart:
    dat = os.path.join(res_dir, "chart.dat")
    with open(dat, "w") as f:
        for i, (n, v) in enumerate(chart):
            f.write(f'{i} "{n}" {v}\n')
    script = f"""
set terminal pngcairo size 1400,700 noenhanced
set output '{out_png}'
set title 'eddy: ns per operation (log scale, lower is better)'
set style fill solid 0.7
set rmargin 12
set boxwidth 0.7
set logscale y
set xtics rotate by -45 font ',9'
set grid ytics
unset key
plot '{dat}' using 1:3:xtic(2) with boxes lc rgb '#3a7bd5'
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"chart not drawn: {e}", file=sys.stderr)
