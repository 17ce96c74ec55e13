# A malformed scenario: exit code 2 and one message naming file, line and field.
execute_process(COMMAND ${CROWDSAFE} run ${SOURCE}/scenarios/invalid/negative_count.yaml --out ${OUT}
                RESULT_VARIABLE rc ERROR_VARIABLE err OUTPUT_QUIET)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "expected exit code 2 for invalid input, got ${rc}: ${err}")
endif()
if(NOT err MATCHES "negative_count.yaml:[0-9]+:[0-9]+: groups\\[0\\]\\.count")
  message(FATAL_ERROR "message does not name file, line and field: ${err}")
endif()
