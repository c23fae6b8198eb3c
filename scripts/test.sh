#!/usr/bin/env bash
# The test command of the README: builds the solution, runs every test project under tests/ (tests/*/*Tests.csproj:
# tests/TestKit is a library the projects share, with no tests of its own), and ends with one line
# "N passed, N failed, N skipped" summed over the projects. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

# Tools the tests run for real, installed with apt when missing: redis-server (the Redis tests start real ones on
# loopback), curl (the README's sample session) and promtool, of Debian's prometheus package (the alert rules).
need() {  # need COMMAND PACKAGE WHAT
  command -v "$1" >/dev/null 2>&1 && return
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$2") >/dev/null \
      || echo "warning: could not install $2; $3 will fail"
  else
    echo "warning: $1 is missing (sudo apt-get install -y $2); $3 will fail"
  fi
}
need redis-server redis-server "the Redis tests"
need curl curl "the README's sample session"
need promtool prometheus "the alert rules' tests (AlertRulesTests)"

results=$(mktemp -d)
trap 'rm -rf "$results"' EXIT

if ! dotnet build Qbee.Authz.sln -c Release --nologo -v quiet; then
  echo "build failed"
  echo "0 passed, 1 failed, 0 skipped"
  exit 1
fi

status=0
passed=0 failed=0 skipped=0
for project in tests/*/*Tests.csproj; do
  name=$(basename "$project" .csproj)
  if ! dotnet test "$project" -c Release --no-build --nologo \
      --logger "trx;LogFileName=$name.trx" --logger "console;verbosity=normal" --results-directory "$results"; then
    status=1
  fi
  trx="$results/$name.trx"
  if [ ! -f "$trx" ]; then
    echo "$name: no test results (the test host crashed?)"
    failed=$((failed + 1))
    status=1
    continue
  fi
  counters=$(grep -o '<Counters [^>]*>' "$trx")
  count() { echo "$counters" | sed -n "s/.* $1=\"\([0-9]*\)\".*/\1/p"; }
  passed=$((passed + $(count passed)))
  failed=$((failed + $(count failed) + $(count error) + $(count timeout) + $(count aborted)))
  skipped=$((skipped + $(count notExecuted)))
done

echo "$passed passed, $failed failed, $skipped skipped"
exit $status
