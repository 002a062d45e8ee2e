#!/usr/bin/env bash
# End-to-end check of the Slurm recipe on a single-node Slurm cluster started on loopback.
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge (installed if missing).
# Run from the project root after `cargo build --release`:
#   KOLSIM_SLURM_TEST=1 cargo test --release --test slurm      (or run this script directly)
# It submits scenarios/slurm/sweep.sbatch as a 4-task job array plus the dependent merge job,
# waits, and checks the merged sweep against a single-machine run, byte for byte.
set -euo pipefail
root=$(pwd)
export KOLSIM=${KOLSIM:-$root/target/release/kolsim}
work=$(mktemp -d /tmp/kolsim-slurm.XXXX)
if ! command -v slurmctld >/dev/null; then
  apt-get install -y -q slurmctld slurmd slurm-client munge >/dev/null
fi
host=$(hostname -s)
mkdir -p /etc/slurm /var/spool/slurmctld /var/spool/slurmd /var/log/slurm /run/munge
cat > /etc/slurm/slurm.conf <<CONF
ClusterName=kolsim
SlurmctldHost=${host}(127.0.0.1)
SlurmUser=root
AuthType=auth/munge
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
ReturnToService=2
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
StateSaveLocation=/var/spool/slurmctld
SlurmdSpoolDir=/var/spool/slurmd
SlurmctldLogFile=/var/log/slurm/slurmctld.log
SlurmdLogFile=/var/log/slurm/slurmd.log
NodeName=${host} NodeAddr=127.0.0.1 CPUs=$(nproc) RealMemory=$(free -m | awk '/Mem:/{print $2}') State=UNKNOWN
PartitionName=main Nodes=${host} Default=YES MaxTime=INFINITE State=UP
CONF
[ -s /etc/munge/munge.key ] || { dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 2>/dev/null; }
chown -R munge:munge /etc/munge /run/munge /var/lib/munge /var/log/munge 2>/dev/null || true
chmod 400 /etc/munge/munge.key
pgrep -x munged >/dev/null || su -s /bin/sh munge -c munged
pkill -x slurmctld 2>/dev/null || true
pkill -x slurmd 2>/dev/null || true
slurmctld -c -i
slurmd -c
for _ in $(seq 30); do sinfo -h -o %T 2>/dev/null | grep -qE "idle|mixed" && break; sleep 1; done
sinfo
out="$work/sweep"
sets="--set model.bass.q=0.1,0.3 --set kols.share=0.01:0.02:0.01"
# SETS holds commas, which --export would split: pass it through the environment (ALL).
export SETS="$sets --replicates 10"
jid=$(sbatch --parsable --chdir="$root" --output="$work/%A_%a.log" --array=0-3 \
  --export=ALL,N=4,OUT="$out" scenarios/slurm/sweep.sbatch)
mid=$(sbatch --parsable --chdir="$root" --output="$work/merge.log" --dependency=afterok:$jid \
  --wrap "$KOLSIM merge $out")
for _ in $(seq 120); do squeue -h -j "$jid,$mid" 2>/dev/null | grep -q . || break; sleep 1; done
cat "$work"/*.log
"$KOLSIM" sweep scenarios/quickstart.toml $sets --replicates 10 --out "$work/single" --quiet
diff -r "$work/single" "$out"
echo "slurm e2e: merged job-array sweep equals the single run"
