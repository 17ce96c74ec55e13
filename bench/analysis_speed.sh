#!/usr/bin/env bash
# Analysis speed and memory against the run itself (issue "Risk analysis"): runs
# scenarios/bench/analysis-10k.yaml (10,000 people, 30 min simulated, a frame per second) and
# then `crowdsafe analyse` on its run folder, each under /usr/bin/time, and prints wall time (s)
# and peak memory (MiB) of both. Usage: bench/analysis_speed.sh [BUILD_DIR] [RUN_DIR] [THREADS]
set -euo pipefail
build=${1:-build}
run=${2:-runs/bench-analysis-10k}
threads=${3:-2}
crowdsafe=$build/cli/crowdsafe
here=$(cd "$(dirname "$0")/.." && pwd)
measure() {  # prints "wall_s peak_MiB" of the command
  local log
  log=$(mktemp)
  /usr/bin/time -f "%e %M" -o "$log" "$@" > /dev/null
  awk '{printf "%.1f %.0f\n", $1, $2 / 1024}' "$log"
  rm -f "$log"
}
read -r run_s run_mib < <(measure "$crowdsafe" run "$here/scenarios/bench/analysis-10k.yaml" --out "$run" --threads "$threads" -q)
read -r ana_s ana_mib < <(measure "$crowdsafe" analyse "$run" -q)
size_mib=$(du -m "$run/trajectories.h5" | cut -f1)
echo "| step | wall time (s) | peak memory (MiB) |"
echo "| --- | ---: | ---: |"
echo "| run: 10,000 people, 1,800 s simulated, $threads threads | $run_s | $run_mib |"
echo "| analyse: $(( size_mib )) MiB trajectories.h5, 0.5 m grid | $ana_s | $ana_mib |"
