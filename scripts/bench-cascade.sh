#!/usr/bin/env bash
# The independent-cascade row of BENCHMARKS.md, side by side with CyNetDiff on the same graph:
# BA n = 100,000 (m = 5, networkx seed 1), 1,000 fixed seeds, β = 0.1, 100 replicates × 50 steps.
# kolsim's figure is the whole process (read the edge list, build, run, write the results
# folder); CyNetDiff's is its simulation loop alone. Needs: pip install cynetdiff networkx numpy.
set -euo pipefail
cd "$(dirname "$0")/.."
dir=target/bench-cascade
mkdir -p "$dir"
[ -s "$dir/ba100k.csv" ] || python3 scripts/cynetdiff_ic.py --write-graph 100000 5 1 "$dir/ba100k.csv" "$dir/seeds.txt" 1000
cat > "$dir/cascade.toml" <<TOML
name = "bench-cascade"
description = "Independent cascade, BA 100k (networkx, m = 5), 1,000 fixed seeds, beta = 0.1"
steps = 50
replicates = 100
seed = 1

[network]
kind = "edge_list"
path = "ba100k.csv"
directed = false

[initial_adopters]
strategy = "explicit"
path = "seeds.txt"

[[model]]
kind = "independent_cascade"
beta = 0.1
TOML
cargo build --release --quiet
threads=${THREADS:-2}
echo "== kolsim, whole process, --threads $threads (best of 3)"
for _ in 1 2 3; do
  /usr/bin/time -f "%e s wall, %M KB peak" target/release/kolsim run "$dir/cascade.toml" \
    --out "$dir/out" --force --quiet --threads "$threads" --curves summary
done
grep -o '"mean_final[^,]*' "$dir/out/manifest.json" 2>/dev/null || true
awk -F, 'NR>1 && $3==50 {print "kolsim mean final size:", $4}' "$dir/out/summary.csv" | head -1
echo "== CyNetDiff, simulation loop only, one thread"
python3 scripts/cynetdiff_ic.py "$dir/ba100k.csv" "$dir/seeds.txt" 100 0.1
