#!/usr/bin/env bash
# No guest starves the others (DESIGN.md section 14, "Limits"): under small limits, a job that
# exhausts descriptors, processes or message memory fails its own calls (NO_RESOURCES,
# NO_MEMORY) while its siblings go on; a process that stops itself while another maps into it
# is killed once the work deadline has passed, and the map returns; so is a pure process whose
# stub is stopped while it is being started (tests/helpers/limits.c).
set -u
ZUM=${ZUM:?} ZUM_HELPERS=${ZUM_HELPERS:?}
L=$ZUM_HELPERS/limits
fail=0 n=0

# run [zum run options] PROGRAM MODE; bare VAR=VALUE PROGRAM MODE runs it without zum.
run() {
  n=$((n + 1))
  local out rc what
  if [ "$1" = bare ]; then
    shift
    what="$*"
    out=$(env "$1" timeout 120 "${@:2}" 2>&1)
  else
    what="zum run $*"
    out=$(timeout 120 "$ZUM" run "$@" 2>&1)
  fi
  rc=$?
  if [ "$rc" != 0 ]; then
    echo "FAIL: $what: exit $rc"
    printf '%s\n' "$out" | sed 's/^/    /'
    fail=$((fail + 1))
  else
    echo "PASS: $what"
    printf '%s\n' "$out" | grep '^limits' | sed 's/^/    /'
  fi
}

# The job cap stops the hog; the total (below two caps) shows its share coming back.
run --limit-job-fds=300 --limit-fds=450 "$L" vmo
run --limit-job-procs=6 "$L" procs
run --limit-job-fds=40 "$L" threads
run --limit-job-handles=1000 "$L" handles
run --limit-job-mem=4M "$L" mem
run --work-deadline=300 "$L" stop
# A bare supervisor takes them from the environment.
run bare ZUM_LIMITS=job-mem=4M,job-fds=1000 "$L" mem
run bare ZUM_WORK_DEADLINE=300 "$L" stop

# The options are checked.
n=$((n + 1))
if "$ZUM" run --limit-job-fds=0 "$L" vmo >/dev/null 2>&1 || "$ZUM" run --limit-mem=1Q "$L" mem \
    >/dev/null 2>&1 || ! "$ZUM" --help | grep -q -- '--limit-job-fds'; then
  echo "FAIL: bad --limit values are refused, --help names the limits"
  fail=$((fail + 1))
else
  echo "PASS: bad --limit values are refused, --help names the limits"
fi

echo "$((n - fail))/$n limit checks passed"
[ "$fail" = 0 ]
