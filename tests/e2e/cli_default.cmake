# Runs the CLI on the shipped default scenario and checks the run folder, then lets h5py read
# the trajectory file as PedPy would.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND ${CROWDSAFE} run ${SOURCE}/scenarios/festival-plaza/scenario.yaml --out ${OUT} --threads 2 --quiet
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "crowdsafe run exited with ${rc}")
endif()
foreach(f summary.json trajectories.h5)
  if(NOT EXISTS ${OUT}/${f})
    message(FATAL_ERROR "missing ${OUT}/${f}")
  endif()
endforeach()
file(READ ${OUT}/summary.json summary)
string(JSON status GET "${summary}" status)
string(JSON total GET "${summary}" agents_total)
string(JSON rate GET "${summary}" agent_updates_per_second)
if(NOT status STREQUAL "completed" OR total LESS 2000 OR rate LESS_EQUAL 0)
  message(FATAL_ERROR "unexpected summary: ${summary}")
endif()
execute_process(COMMAND ${CMAKE_COMMAND} -E env CROWDSAFE_H5=${OUT}/trajectories.h5
                ${PYTHON} -m pytest -q -p no:cacheprovider ${SOURCE}/tests/python/test_output_layout.py
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the trajectory file failed the PedPy layout check")
endif()
