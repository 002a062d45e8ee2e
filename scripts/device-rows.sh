#!/usr/bin/env bash
# The many-core rows of BENCHMARKS.md, run on a 16-core machine in one go (the binaries built
# elsewhere and copied to target/devbin; the cascade graph in target/bench-cascade).
# Usage: scripts/device-rows.sh OUTDIR
set -uo pipefail
cd "$(dirname "$0")/.."
out=${1:-/tmp/device-rows}; mkdir -p "$out"
bin=target/devbin
k=$bin/kolsim
log="$out/rows.txt"
say() { echo "$@" | tee -a "$log"; }
if [ -x /usr/bin/time ]; then
  t() { /usr/bin/time -f "%e s wall, %U s user, %M KB peak" "$@" 2>&1 | tail -1; }
else
  t() { local s=$(date +%s.%N); "$@" >/dev/null 2>&1; echo "$(echo "$(date +%s.%N) - $s" | bc) s wall"; }
fi
say "== machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2), load $(cut -d' ' -f1-3 /proc/loadavg)"
# National benchmark: 1M physicians, 120 months, 100 replicates, 2 models.
for th in 16 2 1; do
  r=$(t $k run scenarios/bench-national.toml --threads $th --quiet --force --out "$out/nat-$th" --curves none)
  say "national --threads $th: $r; timings $(grep -o "\"prepare_s\": [0-9.]*\|\"simulate_s\": [0-9.]*" "$out/nat-$th/manifest.json" | tr "\n" " ")"
done
cmp "$out/nat-16/summary.csv" "$out/nat-1/summary.csv" && say "national summary.csv identical for 16 and 1 threads"
# 10M physicians, BA m = 5 (1e8 arcs), 10 replicates, 16 threads.
sed -e 's/^n = 1_000_000/n = 10_000_000/' -e 's/^replicates = 100/replicates = 10/' \
    -e 's/^name = "bench-national"/name = "bench-10m"/' scenarios/bench-national.toml > "$out/bench-10m.toml"
r=$(t $k run "$out/bench-10m.toml" --threads 16 --quiet --force --out "$out/m10" --curves none)
say "10M --threads 16: $r; timings $(grep -o "\"prepare_s\": [0-9.]*\|\"simulate_s\": [0-9.]*" "$out/m10/manifest.json" | tr "\n" " ")"
rm -rf "$out/m10" "$out/nat-2" "$out/nat-1"
# Independent cascade, BA 100k, 1,000 seeds, beta = 0.1, 100 replicates x 50 steps, whole process.
for th in 1 2 16; do
  r=$(t $k run target/bench-cascade/cascade.toml --threads $th --quiet --force --out "$out/ic-$th" --curves summary)
  say "cascade --threads $th: $r; timings $(grep -o "\"prepare_s\": [0-9.]*\|\"simulate_s\": [0-9.]*" "$out/ic-$th/manifest.json" | tr "\n" " ")"
done
rm -rf "$out"/ic-*
# Sweep of 651 small points.
for th in 1 2 16; do
  r=$(t $k sweep scenarios/quickstart.toml --set model.bass.q=0.0:0.30:0.01 --set kols.share=0.005:0.025:0.001 \
      --replicates 20 --threads $th --quiet --force --out "$out/sw-$th")
  say "sweep 651 points --threads $th: $r"
done
cmp "$out/sw-1/sweep.csv" "$out/sw-16/sweep.csv" && say "sweep.csv identical for 1 and 16 threads"
rm -rf "$out"/sw-*
# KOL rules at 1M (eigenvector, betweenness), 16 and 2 threads.
for th in 16 2; do
  say "kols_national 1000000 $th:"; $bin/kols_national 1000000 $th 2>&1 | tee -a "$log"
done
say "== done"
