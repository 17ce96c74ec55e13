# Walkable-surface meshes (OBJ, OFF, PLY, STL): core/src/venue/mesh_reader.cpp and the meshes in
# scenarios/venues/meshes and scenarios/invalid/venues/meshes (tests/data_gen/make_meshes.py).
add_executable(crowdsafe_venue_mesh_tests unit/test_venue_mesh.cpp unit/test_levels.cpp)
target_link_libraries(crowdsafe_venue_mesh_tests PRIVATE crowdsafe_test_support)
gtest_discover_tests(crowdsafe_venue_mesh_tests DISCOVERY_TIMEOUT 60 PROPERTIES LABELS unit)
