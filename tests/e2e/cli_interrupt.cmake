# Ctrl-C (SIGINT) during a run: exit code 130, and the trajectory file is valid, keeps the
# frames written so far and says the run was interrupted.
file(REMOVE_RECURSE ${OUT})
execute_process(COMMAND timeout --preserve-status -s INT 2 ${CROWDSAFE} run ${SOURCE}/scenarios/festival-plaza/scenario.yaml --out ${OUT} --threads 1 --quiet
                RESULT_VARIABLE rc)
if(NOT rc EQUAL 130)
  message(FATAL_ERROR "expected exit code 130 after SIGINT, got ${rc}")
endif()
file(READ ${OUT}/summary.json summary)
string(JSON status GET "${summary}" status)
if(NOT status STREQUAL "interrupted")
  message(FATAL_ERROR "summary status is '${status}', expected 'interrupted'")
endif()
execute_process(COMMAND ${PYTHON} -c
  "import h5py,sys; f=h5py.File(sys.argv[1],'r'); m=f['/crowdsafe/metadata'].attrs; t=f['/trajectory']; \
assert len(t) > 0, 'no frames kept'; \
s=m['status']; s=s.decode() if isinstance(s,bytes) else s; \
assert s=='interrupted' and int(m['complete'])==0, (s, m['complete']); print('frames kept:', len(set(t['frame'])))"
  ${OUT}/trajectories.h5 RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the interrupted trajectory file is not valid")
endif()
