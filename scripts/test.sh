#!/usr/bin/env bash
# The test command of the README: builds the solution, runs every test project under tests/ (tests/*/*Tests.csproj:
# tests/TestKit is a library the projects share, with no tests of its own), and ends with one line
# "N passed, N failed, N skipped" summed over the projects. Exits non-zero on any failure.
set -uo pipefail
cd "$(dirname "$0")/.."

# The functional tests start real redis-server processes on loopback: install it when it is missing.
if ! command -v redis-server >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq redis-server) >/dev/null \
      || echo "warning: could not install redis-server; the Redis tests will fail"
  else
    echo "warning: redis-server is missing (sudo apt-get install -y redis-server); the Redis tests will fail"
  fi
fi

# The README's curl lines are replayed with the real curl: install it when it is missing.
if ! command -v curl >/dev/null 2>&1; then
  if [ "$(id -u)" -eq 0 ]; then
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq curl) >/dev/null \
      || echo "warning: could not install curl; the README curl tests will fail"
  else
    echo "warning: curl is missing (sudo apt-get install -y curl); the README curl tests will fail"
  fi
fi

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
