# Reliability checks (issue 8, items 2 and 3; docs/reliability.md): a bounded libFuzzer run of
# every reader, and the unit tests under ASan+UBSan and the parallel step under TSan. Each
# builds crowdsafe again in its own folder under the build directory (clang for the fuzzers,
# g++ with sanitizers), so each takes both cores: PROCESSORS 2 keeps ctest -j2 from running
# another test beside it.
set(CROWDSAFE_FUZZ_SECONDS 15 CACHE STRING "Seconds each fuzz target runs in the fuzz_smoke test")

add_test(NAME fuzz_smoke
  COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run.sh ${CMAKE_BINARY_DIR}/reliability/fuzz ${CROWDSAFE_FUZZ_SECONDS})
add_test(NAME sanitizers_asan_ubsan
  COMMAND bash ${PROJECT_SOURCE_DIR}/.ci/sanitizers.sh ${CMAKE_BINARY_DIR}/reliability/sanitizers asan)
add_test(NAME sanitizers_tsan
  COMMAND bash ${PROJECT_SOURCE_DIR}/.ci/sanitizers.sh ${CMAKE_BINARY_DIR}/reliability/sanitizers tsan)
set_tests_properties(fuzz_smoke sanitizers_asan_ubsan sanitizers_tsan PROPERTIES
  LABELS reliability TIMEOUT 1500 PROCESSORS 2)
