#!/usr/bin/env bash
# The sweep row of BENCHMARKS.md: 651 small points (quickstart, 31 values of Bass q × 21 KOL
# shares, 20 replicates each), with --threads 1 and --threads 2 (or THREADS="1 2 16").
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --quiet
for t in ${THREADS:-1 2}; do
  /usr/bin/time -f "--threads $t: %e s wall, %U s user, %M KB peak" target/release/kolsim sweep \
    scenarios/quickstart.toml --set model.bass.q=0.0:0.30:0.01 --set kols.share=0.005:0.025:0.001 \
    --replicates 20 --threads "$t" --quiet --force --out "target/bench-sweep-$t"
done
cmp target/bench-sweep-1/sweep.csv "target/bench-sweep-${THREADS##* }/sweep.csv" 2>/dev/null \
  && echo "sweep.csv identical across thread counts" || true
