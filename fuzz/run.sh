#!/usr/bin/env bash
# Builds the libFuzzer targets with clang in BUILD_DIR and runs each for a bounded time over
# its committed seed corpus (fuzz/corpus/<target>/). Exits 1 on any finding (crash, sanitizer
# report, exception other than crowdsafe::InputError, input slower than 10 s, over 2 GiB),
# printing the reproducer; exits 2 when the build or the toolchain fails. docs/reliability.md.
#
#   fuzz/run.sh [--build-only | --no-build] BUILD_DIR [SECONDS_PER_TARGET [TARGET...]]
#
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
build=${1:?usage: fuzz/run.sh [--build-only | --no-build] BUILD_DIR [SECONDS_PER_TARGET [TARGET...]]}
seconds=${2:-60}
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
  # New inputs go to a scratch corpus in the build folder; the committed seeds stay untouched.
  work=$build/corpus/$t
  artifacts=$build/artifacts/$t
  mkdir -p "$work" "$artifacts"
  log=$build/$t.log
  # 0 s replays the committed corpus once (every seed and regression input, under ASan and
  # UBSan) without mutating it: the same inputs and the same verdict on every run.
  if ((seconds == 0)); then
    echo "fuzz/run.sh: $t replays its $(ls "$seeds" | wc -l) committed inputs"
    mode=(-runs=0)
  else
    echo "fuzz/run.sh: $t for $seconds s over $(ls "$seeds" | wc -l) seeds"
    mode=(-max_total_time="$seconds" -seed="${CROWDSAFE_FUZZ_SEED:-1}")
  fi
  if "$build/$t" "${mode[@]}" -timeout=10 \
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
