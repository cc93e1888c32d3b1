# fleetsim validate-suite on a malformed suite file: exit 2 and one line naming the file, the line
# and the field, as every other command does with bad input.
set(bad "${WORK}/bad-suite.yaml")
file(MAKE_DIRECTORY "${WORK}")
file(WRITE "${bad}" "name: bad\nfamilies:\n  - {id: f, title: t}\nrows:\n  - {id: A, family: f, source: s, published: 1, tolerance: 10%, scenari: x.yaml}\n")
execute_process(COMMAND "${FLEETSIM}" validate-suite "${bad}" RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(NOT rc EQUAL 2)
  message(FATAL_ERROR "expected exit 2 for a bad suite file, got ${rc}\nstdout: ${out}\nstderr: ${err}")
endif()
if(NOT err MATCHES "bad-suite.yaml:5" OR NOT err MATCHES "scenari")
  message(FATAL_ERROR "expected the file, line 5 and the field 'scenari' in the message, got: ${err}")
endif()
