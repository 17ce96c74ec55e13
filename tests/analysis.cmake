# Risk analysis tests (issue 4), included by tests/CMakeLists.txt.

# Unit tests: density estimator on lattices, crowd pressure, level-of-service tables, outlines.
add_executable(crowdsafe_analysis_unit_tests unit/test_analysis.cpp)
target_link_libraries(crowdsafe_analysis_unit_tests PRIVATE crowdsafe_test_support)
gtest_discover_tests(crowdsafe_analysis_unit_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)

# Validation: hotspots found (or not) in standard scenes and scenarios/validation/*.yaml.
add_executable(crowdsafe_analysis_validation_tests validation/test_analysis_hotspots.cpp)
target_link_libraries(crowdsafe_analysis_validation_tests PRIVATE crowdsafe_test_support)
gtest_discover_tests(crowdsafe_analysis_validation_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS validation TIMEOUT 900)

# End to end: `crowdsafe assess` on the default scenario, then report.html rendered in headless
# Chromium; the page's self-test must say every figure was drawn and the replay advanced.
find_program(CROWDSAFE_CHROMIUM NAMES chromium chromium-browser google-chrome)
add_test(NAME cli_assess_report_renders
  COMMAND ${CMAKE_COMMAND} -DCROWDSAFE=$<TARGET_FILE:crowdsafe> -DSOURCE=${PROJECT_SOURCE_DIR}
          -DOUT=${CMAKE_CURRENT_BINARY_DIR}/e2e-assess -DPYTHON=${CROWDSAFE_PYTHON}
          -DCHROMIUM=${CROWDSAFE_CHROMIUM}
          -P ${CMAKE_CURRENT_SOURCE_DIR}/e2e/cli_assess.cmake)
set_tests_properties(cli_assess_report_renders PROPERTIES LABELS e2e TIMEOUT 900)
