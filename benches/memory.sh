#!/usr/bin/env bash
# Peak memory of a ResNet-18 training step (batch 8, 224x224, f32) in logit and PyTorch, each
# in a fresh process, three runs each at the given thread counts (default 1 2); prints the
# smallest rise of each. PYTHON as for compare.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-python3}
threads=("$@")
[ ${#threads[@]} -gt 0 ] || threads=(1 2)
cargo build --release --bench memory >/dev/null 2>&1
bin=$(ls -t target/release/deps/memory-* | grep -v '\.d$' | head -1)
out=$(mktemp)
for t in "${threads[@]}"; do
  for round in 1 2 3; do
    "$bin" --threads "$t" >>"$out"
    "$PY" benches/pytorch/memory.py --threads "$t" >>"$out"
  done
done
"$PY" - "$out" <<'PYEOF'
import json, sys, collections
runs = collections.defaultdict(list)
for line in open(sys.argv[1]):
    d = json.loads(line)
    runs[(d["threads"], d["system"])].append(d["step_peak_above_baseline_mib"])
print(f"{'threads':>7} {'logit MiB':>10} {'pytorch MiB':>12} {'logit/pytorch':>14}")
for t in sorted({t for t, _ in runs}):
    l, p = min(runs[(t, "logit")]), min(runs[(t, "pytorch")])
    print(f"{t:>7} {l:>10.1f} {p:>12.1f} {l / p:>13.2f}x")
PYEOF
rm -f "$out"
