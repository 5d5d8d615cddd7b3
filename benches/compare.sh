#!/usr/bin/env bash
# Runs logit's and PyTorch's workloads interleaved (logit, PyTorch, logit, PyTorch … per
# workload) at the given thread counts and prints the ratio of medians.
#   benches/compare.sh [THREADS...]        (default: 1 2)
# PyTorch comes from $PYTHON (default: python3) with torch and torchvision installed, e.g.
#   python3 -m venv /tmp/venv && /tmp/venv/bin/pip install torch torchvision
#   PYTHON=/tmp/venv/bin/python benches/compare.sh 1 2
# WORKLOADS="W1 W8" limits the run to some workloads.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
# OPENBLAS_CORETYPE/L2_SIZE slow a current PyTorch on this kind of machine (see env notes)
unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE
cargo build --release --bench workloads >/dev/null 2>&1
bin=$(ls -t target/release/deps/workloads-* | grep -v '\.d$' | head -1)
out=$(mktemp)
for t in "${threads[@]}"; do
  for w in ${WORKLOADS:-W1 W2 W3 W4 W5 W6 W7 W8 W9 W10 W11}; do
    for round in 1 2; do
      "$bin" --threads "$t" --only "$w" --budget-ms 1000 >>"$out"
      "$PY" benches/pytorch/workloads.py --threads "$t" --only "$w" --budget-ms 1000 >>"$out"
    done
  done
done
"$PY" - "$out" <<'PYEOF'
import json, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    d = json.loads(line)
    runs[(d["workload"], d["threads"], d["system"])].append(d["median_us"])
keys = sorted({(w, t) for (w, t, _) in runs}, key=lambda k: (k[1], k[0]))
print(f"{'workload':32} {'threads':>7} {'logit us':>12} {'pytorch us':>12} {'speed-up':>9}")
for w, t in keys:
    l = min(runs[(w, t, "logit")]); p = min(runs[(w, t, "pytorch")])
    print(f"{w:32} {t:>7} {l:>12.1f} {p:>12.1f} {p / l:>8.2f}x")
PYEOF
rm -f "$out"
