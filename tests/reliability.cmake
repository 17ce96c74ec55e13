# Reliability checks (issue 8, items 2 and 3; docs/reliability.md), part of the default test
# command: a bounded libFuzzer run of every reader, the engine's unit tests under ASan + UBSan,
# and the parallel step under TSan. Each builds what it needs in its own folder under
# <build>/reliability/ (clang for the fuzzers; the sanitizer builds compile only the engine
# sources their tests need). A build takes both cores (PROCESSORS 2, so ctest -j2 runs nothing
# beside it) and is the fixture of the runs, which take one core each and run beside other tests.
# Each fuzz_<format> test explores a fixed number of executions with a fixed seed (fuzz/run.sh
# runs=N, from the committed corpus alone, without address randomisation): the same inputs on
# (nearly) every run of a build, so the verdict depends neither on the machine's speed nor on
# what a timed run happened to reach (docs/reliability.md, "The CI run"). N is
# about 80 % of what the target ran in 60 s on the project's 2-core VM at its usual load
# (docs/reliability.md, "CI time"); a run of fewer executions is the start of a longer one.
# CROWDSAFE_FUZZ_SECONDS switches to timed exploration (fuzz/run.sh BUILD 60, the separate step
# that looks for new findings) or, with 0, to a replay of the corpus alone.
set(CROWDSAFE_FUZZ_SECONDS "" CACHE STRING
    "Empty: each fuzz_<format> test runs its fixed number of executions; N > 0: explores N seconds instead; 0: replays the corpus")
set(CROWDSAFE_FUZZ_RUNS
    fuzz_scenario_reader=14000 fuzz_wkt=22000 fuzz_geojson=30000 fuzz_dxf=2000
    fuzz_obj=10000 fuzz_off=30000 fuzz_ply=10000 fuzz_stl=13000)
set(reliability ${CMAKE_BINARY_DIR}/reliability)

add_test(NAME fuzz_build COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run.sh --build-only ${reliability}/fuzz)
set_tests_properties(fuzz_build PROPERTIES FIXTURES_SETUP fuzz_targets PROCESSORS 2 TIMEOUT 1200 COST 1000)
foreach(entry IN LISTS CROWDSAFE_FUZZ_RUNS)
  string(REPLACE "=" ";" entry "${entry}")
  list(GET entry 0 target)
  list(GET entry 1 runs)
  if(CROWDSAFE_FUZZ_SECONDS STREQUAL "")
    set(budget runs=${runs})
    # 10-25 s of CPU each; the timeout only catches a hung harness or a machine far slower.
    set(timeout 900)
  else()
    set(budget ${CROWDSAFE_FUZZ_SECONDS})
    # libFuzzer stops itself after CROWDSAFE_FUZZ_SECONDS; the timeout only catches a hung harness.
    math(EXPR timeout "${CROWDSAFE_FUZZ_SECONDS} * 2 + 120")
  endif()
  add_test(NAME ${target} COMMAND bash ${PROJECT_SOURCE_DIR}/fuzz/run.sh --no-build ${reliability}/fuzz ${budget} ${target})
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
