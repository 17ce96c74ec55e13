# Floor plans (WKT, GeoJSON, DXF): the same venue in every format, DXF arcs/blocks/JuPedSim
# layers, and the bad files of scenarios/invalid/venues/ (docs/venue-formats.md).
add_executable(crowdsafe_venue_floorplan_tests unit/test_venue_floorplans.cpp)
target_link_libraries(crowdsafe_venue_floorplan_tests PRIVATE crowdsafe_test_support)
gtest_discover_tests(crowdsafe_venue_floorplan_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
