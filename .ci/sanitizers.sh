#!/usr/bin/env bash
# Sanitizer builds of the tests (issue 8, item 3); see docs/reliability.md.
#
#   .ci/sanitizers.sh BUILD_DIR [asan|tsan|all]
#
# asan: Debug (-O1) build with -DCROWDSAFE_SANITIZE=ON (AddressSanitizer + UBSan, every report
#       fatal) of crowdsafe_unit_tests, run in BUILD_DIR/asan.
# tsan: Debug (-O1) build with -DCROWDSAFE_SANITIZE_THREAD=ON of crowdsafe_validation_tests, whose
#       Determinism* tests run the parallel step on 1, 2 and 4 TBB threads, in BUILD_DIR/tsan.
# Environment: CROWDSAFE_SANITIZE_JOBS (build jobs, default 2), CROWDSAFE_ASAN_FILTER and
# CROWDSAFE_TSAN_FILTER (gtest filters replacing the defaults below).
set -euo pipefail
src=$(cd "$(dirname "$0")/.." && pwd)
build=${1:?usage: .ci/sanitizers.sh BUILD_DIR [asan|tsan|all]}
which=${2:-all}
jobs=${CROWDSAFE_SANITIZE_JOBS:-2}
mkdir -p "$build"
build=$(cd "$build" && pwd)

# Every unit test runs under ASan+UBSan; none is slow enough to need leaving out.
asan_filter=${CROWDSAFE_ASAN_FILTER:-*}
tsan_filter=${CROWDSAFE_TSAN_FILTER:-Determinism*}

# A compiler without the sanitizer runtime (libasan, libubsan, libtsan) fails here, clearly.
check_runtime() {
  if ! echo 'int main() { return 0; }' | ${CXX:-c++} -x c++ -fsanitize="$1" -o /dev/null - 2>/dev/null; then
    echo "sanitizers.sh: ${CXX:-c++} cannot link -fsanitize=$1 (missing sanitizer runtime; g++ needs libasan/libubsan/libtsan, part of build-essential's gcc)" >&2
    exit 2
  fi
}

# configure_and_build DIR TARGET CMAKE_OPTION...
configure_and_build() {
  local dir=$1 target=$2
  shift 2
  if ! { cmake -S "$src" -B "$dir" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="-g -O1" \
           -DCROWDSAFE_BUILD_BENCH=OFF -DCROWDSAFE_BUILD_EXAMPLES=OFF -DCROWDSAFE_BUILD_PYTHON=OFF \
           -DPython3_EXECUTABLE=/usr/bin/python3 "$@" &&
         cmake --build "$dir" -j"$jobs" --target "$target"; } >"$dir.build.log" 2>&1; then
    tail -n 40 "$dir.build.log" >&2
    echo "sanitizers.sh: build of $target in $dir failed; full log in $dir.build.log" >&2
    exit 2
  fi
}

status=0
if [[ $which == asan || $which == all ]]; then
  check_runtime address,undefined
  echo "sanitizers.sh: ASan+UBSan build of crowdsafe_unit_tests in $build/asan"
  configure_and_build "$build/asan" crowdsafe_unit_tests -DCROWDSAFE_SANITIZE=ON -DCROWDSAFE_SANITIZE_THREAD=OFF
  echo "sanitizers.sh: running crowdsafe_unit_tests --gtest_filter='$asan_filter'"
  if ! ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:strict_string_checks=1 \
       UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
       "$build/asan/tests/crowdsafe_unit_tests" --gtest_filter="$asan_filter" --gtest_brief=1; then
    echo "sanitizers.sh: ASan+UBSan: crowdsafe_unit_tests FAILED" >&2
    status=1
  fi
fi
if [[ $which == tsan || $which == all ]]; then
  check_runtime thread
  echo "sanitizers.sh: TSan build of crowdsafe_validation_tests in $build/tsan"
  configure_and_build "$build/tsan" crowdsafe_validation_tests -DCROWDSAFE_SANITIZE=OFF -DCROWDSAFE_SANITIZE_THREAD=ON
  echo "sanitizers.sh: running crowdsafe_validation_tests --gtest_filter='$tsan_filter'"
  # .ci/tsan.supp explains each suppression. halt_on_error makes the first race fail the run.
  if ! TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$src/.ci/tsan.supp" \
       "$build/tsan/tests/crowdsafe_validation_tests" --gtest_filter="$tsan_filter" --gtest_brief=1; then
    echo "sanitizers.sh: TSan: crowdsafe_validation_tests FAILED" >&2
    status=1
  fi
fi
[[ $which == asan || $which == tsan || $which == all ]] || { echo "sanitizers.sh: unknown variant '$which'" >&2; exit 2; }
exit $status
