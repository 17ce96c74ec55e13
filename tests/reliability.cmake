# Reliability checks (issue 8, items 2 and 3; docs/reliability.md), part of the default test
# command: a bounded libFuzzer run of every reader, the engine's unit tests under ASan + UBSan,
# and the parallel step under TSan. Each builds what it needs in its own folder under
# <build>/reliability/ (clang for the fuzzers; the sanitizer builds compile only the engine
# sources their tests need). A build takes both cores (PROCESSORS 2, so ctest -j2 runs nothing
# beside it) and is the fixture of the runs, which take one core each and run beside other tests.
# 0 (the default) replays every target's committed corpus, so the verdict is the same on every
# run; each new finding of a timed run (fuzz/run.sh BUILD 60, or -DCROWDSAFE_FUZZ_SECONDS=60)
# joins the corpus with its fix. Timed runs kept finding new inputs within 30 s (docs/reliability.md).
set(CROWDSAFE_FUZZ_SECONDS 0 CACHE STRING "Seconds each fuzz target explores in the fuzz_<format> tests (0: replay the corpus)")
set(reliability ${CMAKE_BINARY_DIR}/reliability)

add_test(NAME fuzz_build COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run.sh --build-only ${reliability}/fuzz)
set_tests_properties(fuzz_build PROPERTIES FIXTURES_SETUP fuzz_targets PROCESSORS 2 TIMEOUT 1200 COST 1000)
foreach(target fuzz_scenario_reader fuzz_wkt fuzz_geojson fuzz_dxf fuzz_obj fuzz_off fuzz_ply fuzz_stl)
  add_test(NAME ${target}
    COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run.sh --no-build ${reliability}/fuzz ${CROWDSAFE_FUZZ_SECONDS} ${target})
  # libFuzzer stops itself after CROWDSAFE_FUZZ_SECONDS; the timeout only catches a hung harness.
  math(EXPR timeout "${CROWDSAFE_FUZZ_SECONDS} * 2 + 120")
  set_tests_properties(${target} PROPERTIES FIXTURES_REQUIRED fuzz_targets TIMEOUT ${timeout} COST 500 LABELS "reliability;fuzz")
endforeach()

foreach(variant asan tsan)
  add_test(NAME sanitizers_${variant}_build
    COMMAND bash ${PROJECT_SOURCE_DIR}/.ci/sanitizers.sh --build-only ${reliability}/sanitizers ${variant})
  add_test(NAME sanitizers_${variant}
    COMMAND bash ${PROJECT_SOURCE_DIR}/.ci/sanitizers.sh --no-build ${reliability}/sanitizers ${variant})
  set_tests_properties(sanitizers_${variant}_build PROPERTIES
    FIXTURES_SETUP sanitizers_${variant} PROCESSORS 2 TIMEOUT 1200 COST 1000)
  set_tests_properties(sanitizers_${variant} PROPERTIES
    FIXTURES_REQUIRED sanitizers_${variant} TIMEOUT 900 COST 500 LABELS "reliability;sanitizers")
endforeach()
# The TSan run uses two TBB threads.
set_tests_properties(sanitizers_tsan PROPERTIES PROCESSORS 2)
set_tests_properties(fuzz_build sanitizers_asan_build sanitizers_tsan_build PROPERTIES LABELS "reliability;build")
