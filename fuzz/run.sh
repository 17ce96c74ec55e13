#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in BUILD_DIR and runs each over its committed seed
# corpus (fuzz/corpus/<target>/). Exits 1 on any finding (crash, sanitizer report, exception
# other than crowdsafe::InputError, input slower than 10 s, over 2 GiB), printing the
# reproducer; exits 2 when the build or the toolchain fails. docs/reliability.md.
#
#   fuzz/run.sh [--build-only | --no-build] BUILD_DIR [BUDGET [TARGET...]]
#
# BUDGET (per target) is one of
#   runs=N   explore for exactly N executions from the committed seeds alone, with a fixed seed:
#            the same inputs, so the same verdict, on every run of the same build (the CTests);
#   SECONDS  explore for that long, also from what earlier runs kept (default 60; exploration);
#   0        replay the committed corpus once, without mutating it.
# --build-only configures and builds every target and runs nothing (the fuzz_build CTest);
# --no-build runs targets already built (the fuzz_<format> CTests). Environment:
# CROWDSAFE_FUZZ_JOBS (build jobs, default 2), CROWDSAFE_FUZZ_SEED (libFuzzer -seed, default 1).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
mode=all
case ${1:-} in
  --build-only) mode=build; shift ;;
  --no-build) mode=run; shift ;;
esac
build=${1:?usage: fuzz/run.sh [--build-only | --no-build] BUILD_DIR [runs=N | SECONDS [TARGET...]]}
budget=${2:-60}
runs=
case $budget in
  runs=*) runs=${budget#runs=} ;;
esac
if ! [[ $budget =~ ^[0-9]+$ || $runs =~ ^[0-9]+$ ]]; then
  echo "fuzz/run.sh: budget '$budget' is neither SECONDS nor runs=N" >&2
  exit 2
fi
shift $(( $# < 2 ? $# : 2 ))
targets=("$@")
all_targets=(fuzz_scenario_reader fuzz_wkt fuzz_geojson fuzz_dxf fuzz_obj fuzz_off fuzz_ply fuzz_stl)
((${#targets[@]})) || targets=("${all_targets[@]}")
mkdir -p "$build"
build=$(cd "$build" && pwd)

if [[ $mode != run ]]; then
  # A missing toolchain is a failure with a clear message, never a silent skip.
  cc=$(command -v clang || command -v clang-14 || true)
  cxx=$(command -v clang++ || command -v clang++-14 || true)
  if [[ -z $cc || -z $cxx ]]; then
    echo "fuzz/run.sh: clang/clang++ not found; install clang-14 and libclang-rt-14-dev (.ci/install-deps)" >&2
    exit 2
  fi
  if ! echo 'extern "C" int LLVMFuzzerTestOneInput(const char*, unsigned long) { return 0; }' |
       "$cxx" -x c++ -fsanitize=fuzzer,address,undefined -o /dev/null - 2>/dev/null; then
    echo "fuzz/run.sh: $cxx cannot link -fsanitize=fuzzer,address,undefined; install libclang-rt-14-dev (.ci/install-deps)" >&2
    exit 2
  fi
  echo "fuzz/run.sh: building ${targets[*]} in $build"
  start=$SECONDS
  if ! { CC=$cc CXX=$cxx cmake -S "$src/fuzz" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo &&
         cmake --build "$build" -j"${CROWDSAFE_FUZZ_JOBS:-2}" --target "${targets[@]}"; } >"$build/build.log" 2>&1; then
    tail -n 40 "$build/build.log" >&2
    echo "fuzz/run.sh: build failed; full log in $build/build.log" >&2
    exit 2
  fi
  echo "fuzz/run.sh: built in $((SECONDS - start)) s"
  [[ $mode == build ]] && exit 0
fi

# Stack traces in UBSan reports (ASan prints them anyway).
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
failed=()
for t in "${targets[@]}"; do
  if [[ ! -x $build/$t ]]; then
    echo "fuzz/run.sh: $build/$t is not built (run fuzz/run.sh --build-only $build first)" >&2
    exit 2
  fi
  seeds=$src/fuzz/corpus/$t
  artifacts=$build/artifacts/$t
  log=$build/$t.log
  seed=${CROWDSAFE_FUZZ_SEED:-1}
  launch=()
  if [[ -n $runs ]]; then
    # A fixed number of executions with a fixed seed, starting from the committed seeds alone
    # (the scratch folder starts empty), so the verdict does not depend on the machine's speed or
    # on earlier runs. libFuzzer also learns from the values of compared integers, pointers among
    # them, and some readers depend on addresses themselves, so addresses must repeat too: no
    # address randomisation (setarch -R), no -reload (it rereads the corpus folder every second)
    # and a fixed environment. Without any one of them runs parted (docs/reliability.md).
    echo "fuzz/run.sh: $t for $runs executions (seed $seed) from its $(ls "$seeds" | wc -l) committed inputs"
    work=$build/runs/$t
    rm -rf "$work"
    mode=(-runs="$runs" -seed="$seed" -reload=0)
    # The same environment wherever it is started from (ctest, a shell): its size moves the stack.
    launch=(env -i PATH=/usr/bin:/bin LC_ALL=C "UBSAN_OPTIONS=$UBSAN_OPTIONS")
    [[ -n ${ASAN_OPTIONS:-} ]] && launch+=("ASAN_OPTIONS=$ASAN_OPTIONS")
    if setarch "$(uname -m)" -R true 2>/dev/null; then
      launch+=(setarch "$(uname -m)" -R)
    else
      echo "fuzz/run.sh: setarch -R is not permitted here; with address randomisation on, this run's inputs are not reproducible" >&2
    fi
  elif ((budget == 0)); then
    # Replays the committed corpus once (every seed and regression input, under ASan and
    # UBSan) without mutating it.
    echo "fuzz/run.sh: $t replays its $(ls "$seeds" | wc -l) committed inputs"
    work=$build/corpus/$t
    mode=(-runs=0)
  else
    # New inputs go to a scratch corpus in the build folder, where later timed runs start from
    # them; the committed seeds stay untouched.
    echo "fuzz/run.sh: $t for $budget s over $(ls "$seeds" | wc -l) seeds"
    work=$build/corpus/$t
    mode=(-max_total_time="$budget" -seed="$seed")
  fi
  mkdir -p "$work" "$artifacts"
  if "${launch[@]}" "$build/$t" "${mode[@]}" -timeout=10 \
       -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix="$artifacts/" "$work" "$seeds" >"$log" 2>&1; then
    grep -E '^stat::number_of_executed_units|^#[0-9]+.*DONE' "$log" | tail -n 2 | sed "s/^/  /"
  else
    failed+=("$t")
    grep -E 'FINDING|ERROR: |SUMMARY: |runtime error|Test unit written|^    #[0-9] ' "$log" | head -n 40 >&2 || true
    for r in "$artifacts"/*; do
      [[ -e $r ]] && echo "fuzz/run.sh: $t: reproducer $r (re-run: $build/$t $r)" >&2
    done
    echo "fuzz/run.sh: $t: full log in $log" >&2
  fi
done

if ((${#failed[@]})); then
  echo "fuzz/run.sh: FINDINGS in ${failed[*]}" >&2
  exit 1
fi
echo "fuzz/run.sh: no findings"
