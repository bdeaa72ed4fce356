#!/usr/bin/env bash
# Run one job on this machine, logging to a file (Kaldi's run.pl, reduced to one job):
#   utils/run_local.sh LOG command args...
# On failure, prints the log's tail and returns the command's exit code.
log=$1; shift
mkdir -p "$(dirname "$log")"
{ echo "# $*"; echo "# started $(date)"; } > "$log"
"$@" >> "$log" 2>&1
rc=$?
echo "# ended $(date) with exit code $rc" >> "$log"
if [ $rc -ne 0 ]; then
  echo "$0: failed (exit $rc): $*; last lines of $log:" >&2
  tail -n 5 "$log" >&2
fi
exit $rc
