# Planner tests (issue 5), included by tests/CMakeLists.txt: the three acceptance venues of
# scenarios/planner/ run, analysed, planned and re-simulated with 2 seeds each.
add_executable(crowdsafe_planner_tests validation/test_planner.cpp)
target_link_libraries(crowdsafe_planner_tests PRIVATE crowdsafe_test_support)
gtest_discover_tests(crowdsafe_planner_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS validation TIMEOUT 900)

# Unit tests: network flow on textbook graphs, the evacuation model on a two-exit room.
add_executable(crowdsafe_planner_unit_tests unit/test_planner_flow.cpp)
target_link_libraries(crowdsafe_planner_unit_tests PRIVATE crowdsafe_test_support)
gtest_discover_tests(crowdsafe_planner_unit_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
