#!/usr/bin/env bash
# Sanitizer builds of the engine tests (issue 8, item 3); see docs/reliability.md.
#
#   .ci/sanitizers.sh [--build-only | --no-build] BUILD_DIR [asan|tsan|all]
#
# Both configure tests/sanitizers/ (only the engine sources the tests need) in BUILD_DIR/<variant>:
# asan: ASan + UBSan (every report fatal, leak detection on); runs crowdsafe_engine_tests, the
#       engine's unit tests (geometry, neighbour grid, navigation, simulation, checkpoint) and
#       the parallel-step test.
# tsan: TSan; runs crowdsafe_parallel_step_tests, the simulation step on 1 and 2 TBB threads.
# --build-only configures and builds, --no-build runs what is built (the CTests of
# tests/reliability.cmake use one each). Exits 1 when a test or a sanitizer fails, 2 when the
# build or the toolchain fails. Environment: CROWDSAFE_SANITIZE_JOBS (build jobs, default 2),
# CROWDSAFE_ASAN_FILTER and CROWDSAFE_TSAN_FILTER (gtest filters, default: every test).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
mode=all
case ${1:-} in
  --build-only) mode=build; shift ;;
  --no-build) mode=run; shift ;;
esac
build=${1:?usage: .ci/sanitizers.sh [--build-only | --no-build] BUILD_DIR [asan|tsan|all]}
which=${2:-all}
jobs=${CROWDSAFE_SANITIZE_JOBS:-2}
[[ $which == asan || $which == tsan || $which == all ]] || { echo "sanitizers.sh: unknown variant '$which'" >&2; exit 2; }
mkdir -p "$build"
build=$(cd "$build" && pwd)

# A compiler without the sanitizer runtime (libasan, libubsan, libtsan) fails here, clearly.
check_runtime() {
  if ! echo 'int main() { return 0; }' | ${CXX:-c++} -x c++ -fsanitize="$1" -o /dev/null - 2>/dev/null; then
    echo "sanitizers.sh: ${CXX:-c++} cannot link -fsanitize=$1 (missing sanitizer runtime; g++ needs libasan/libubsan/libtsan, part of build-essential's gcc)" >&2
    exit 2
  fi
}

# build_variant DIR SANITIZER TARGET
build_variant() {
  local dir=$1 sanitizer=$2 target=$3 start=$SECONDS
  mkdir -p "$dir"
  if ! { cmake -S "$src/tests/sanitizers" -B "$dir" -DCROWDSAFE_SANITIZER="$sanitizer" &&
         cmake --build "$dir" -j"$jobs" --target "$target"; } >"$dir/build.log" 2>&1; then
    tail -n 40 "$dir/build.log" >&2
    echo "sanitizers.sh: build of $target in $dir failed; full log in $dir/build.log" >&2
    exit 2
  fi
  echo "sanitizers.sh: built $target in $dir in $((SECONDS - start)) s"
}

# run_variant NAME BINARY FILTER ENV...
status=0
run_variant() {
  local name=$1 binary=$2 filter=$3 start=$SECONDS
  shift 3
  if [[ ! -x $binary ]]; then
    echo "sanitizers.sh: $binary is not built (run .ci/sanitizers.sh --build-only first)" >&2
    exit 2
  fi
  echo "sanitizers.sh: $name: $(basename "$binary") --gtest_filter='$filter'"
  if env "$@" "$binary" --gtest_filter="$filter" --gtest_brief=1; then
    echo "sanitizers.sh: $name: passed in $((SECONDS - start)) s"
  else
    echo "sanitizers.sh: $name: FAILED" >&2
    status=1
  fi
}

if [[ $which == asan || $which == all ]]; then
  if [[ $mode != run ]]; then
    check_runtime address,undefined
    build_variant "$build/asan" address crowdsafe_engine_tests
  fi
  if [[ $mode != build ]]; then
    run_variant "ASan+UBSan" "$build/asan/crowdsafe_engine_tests" "${CROWDSAFE_ASAN_FILTER:-*}" \
      ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
      UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  fi
fi
if [[ $which == tsan || $which == all ]]; then
  if [[ $mode != run ]]; then
    check_runtime thread
    build_variant "$build/tsan" thread crowdsafe_parallel_step_tests
  fi
  if [[ $mode != build ]]; then
    # .ci/tsan.supp explains each suppression. halt_on_error makes the first race fail the run.
    run_variant "TSan" "$build/tsan/crowdsafe_parallel_step_tests" "${CROWDSAFE_TSAN_FILTER:-*}" \
      TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$src/.ci/tsan.supp"
  fi
fi
exit $status
