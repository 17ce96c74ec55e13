# crowdsafe assess on the default scenario, then report.html in headless Chromium.
# Variables: CROWDSAFE, SOURCE, OUT, PYTHON, CHROMIUM (may be *-NOTFOUND).
if(NOT CHROMIUM OR NOT EXISTS "${CHROMIUM}")
  message(FATAL_ERROR "chromium not found: the report test renders report.html in headless Chromium. "
                      "Install it with `apt-get install chromium` (listed in .ci/install-deps), then re-run cmake.")
endif()
file(REMOVE_RECURSE ${OUT})
execute_process(
  COMMAND ${CROWDSAFE} assess ${SOURCE}/scenarios/festival-plaza/scenario.yaml --out ${OUT}/run --threads 2
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "crowdsafe assess failed (${rc}): ${err}")
endif()
foreach(f trajectories.h5 summary.json scenario.yaml hotspots.json hotspots.geojson report.html plan.json plan.geojson)
  if(NOT EXISTS ${OUT}/run/${f})
    message(FATAL_ERROR "assess did not write ${OUT}/run/${f}")
  endif()
endforeach()
if(NOT out MATCHES "plan for festival-plaza")
  message(FATAL_ERROR "assess did not print the plan")
endif()
if(NOT out MATCHES "report.html")
  message(FATAL_ERROR "assess did not print where report.html is")
endif()
execute_process(
  COMMAND ${PYTHON} ${SOURCE}/tests/e2e/check_report.py --chromium ${CHROMIUM} --run ${OUT}/run --tmp ${OUT}/chromium-profile
  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
message("${out}${err}")
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "report check failed (${rc})")
endif()
