#!/usr/bin/env bash
# The load harness (issue 8, issue 18): the service in Release on loopback with a fresh SQLite database (and, with
# --redis, a redis-server), an account of 100k devices seeded through the AdminService, then h2load driving
# Ping (an empty gRPC method of the same service, same interceptors) and Check (granted, denied out of scope,
# remote-access tunnel with parameters) and CheckBatch(100), at 16x32, 16x1 and 1x1 (connections x streams).
# Beside the service, the limit: a truly empty grpc-dotnet server (LoadTool empty: Kestrel + AddGrpc(), no
# interceptors), hit on Ping ("empty") and on Check answered with a constant granted reply ("empty-check").
# Prints throughput, p50 and p99 for each, and per round and as the median of the rounds the ratios of Check to
# the empty handler and to Ping.
#
#   bench/load/run.sh [--redis] [--metrics] [--devices 100000] [--rounds 5] [--quick]
# --metrics turns the Prometheus scrape port on (the meters then record every check).
# Every scenario is first warmed up (tiered JIT and dynamic PGO settle in the first ~100k calls: measured cold,
# the baseline that runs first came out 10-30% slow), then measured --rounds times, scenarios interleaved so drift
# hits all alike; the table gives each figure's median over the rounds.
#
# h2load does not see grpc-status, so each request is checked once with a real client before the load
# (LoadTool seed), and after each run the DATA bytes received must equal requests x the reply frame's size.
set -euo pipefail
cd "$(dirname "$0")/../.."

devices=100000 redis=0 metrics=0 scale=1 rounds=5
while [ $# -gt 0 ]; do
  case "$1" in
    --redis) redis=1 ;;
    --metrics) metrics=1 ;;
    --devices) devices="$2"; shift ;;
    --rounds) rounds="$2"; shift ;;
    --quick) scale=10 ;;
    *) echo "unknown option $1" >&2; exit 2 ;;
  esac
  shift
done

if ! command -v h2load >/dev/null 2>&1; then
  apt-get install -y -qq nghttp2-client >/dev/null 2>&1 || { apt-get update -qq && apt-get install -y -qq nghttp2-client >/dev/null; }
fi

dotnet build -c Release -v quiet --nologo src/AuthzService/AuthzService.csproj bench/load/LoadTool/LoadTool.csproj >/dev/null 2>&1 \
  || dotnet build -c Release -v quiet --nologo Qbee.Authz.sln >/dev/null

work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null \
  || echo $((20000 + RANDOM % 20000)); }

port=$(free_port)
args=(--urls "http://127.0.0.1:$port" "--Authz:Store:ConnectionString=Data Source=$work/authz.db" --Logging:LogLevel:Default=Warning)
if [ "$redis" = 1 ]; then
  rport=$(free_port)
  redis-server --port "$rport" --bind 127.0.0.1 --save '' --appendonly no >/dev/null &
  pids+=($!)
  args+=("--Authz:Redis:Configuration=127.0.0.1:$rport")
fi

if [ "$metrics" = 1 ]; then
  mport=$(free_port)
  args+=("--Authz:Telemetry:PrometheusPort=$mport")
fi

# As deployed (deploy/Dockerfile, the k8s ConfigMap): the young generation capped at 32 MB, not sized by the L3.
DOTNET_GCgen0size=0x2000000 dotnet src/AuthzService/bin/Release/net10.0/Qbee.Authz.Service.dll "${args[@]}" >"$work/service.log" 2>&1 &
service=$!
pids+=($service)
tool=bench/load/LoadTool/bin/Release/net10.0/Qbee.Authz.LoadTool.dll
dotnet "$tool" wait "http://127.0.0.1:$port"
dotnet "$tool" seed "http://127.0.0.1:$port" "$devices" "$work/bodies"
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$service/status")
echo "service working set after seeding: $((rss_kb / 1024)) MB"

# The empty handler, started once the granted reply it answers Check with is known; same GC settings.
eport=$(free_port)
DOTNET_GCgen0size=0x2000000 dotnet "$tool" empty "http://127.0.0.1:$eport" "$work/bodies" >"$work/empty.log" 2>&1 &
pids+=($!)
dotnet "$tool" wait "http://127.0.0.1:$eport"

# name, method, reply frame size, port, body: the two empty-handler scenarios first, then the service's.
ping_reply=$(awk -F'\t' '$1 == "ping" { print $3 }' "$work/bodies/manifest.tsv")
granted_reply=$(awk -F'\t' '$1 == "check-granted" { print $3 }' "$work/bodies/manifest.tsv")
granted_method=$(awk -F'\t' '$1 == "check-granted" { print $2 }' "$work/bodies/manifest.tsv")
ping_method=$(awk -F'\t' '$1 == "ping" { print $2 }' "$work/bodies/manifest.tsv")
{
  printf 'empty\t%s\t%s\t%s\tping\n' "$ping_method" "$ping_reply" "$eport"
  printf 'empty-check\t%s\t%s\t%s\tcheck-granted\n' "$granted_method" "$granted_reply" "$eport"
  awk -F'\t' -v port="$port" '{ printf "%s\t%s\t%s\t%s\t%s\n", $1, $2, $3, port, $1 }' "$work/bodies/manifest.tsv"
} >"$work/scenarios.tsv"
echo

# Per-request latencies come from h2load's log (third column: microseconds until the end of the response).
percentile() { sort -n "$1" | awk -v p="$2" '{ v[NR] = $1 } END { i = int(NR * p); if (i < NR * p) i++; if (i < 1) i = 1; printf "%.2f", v[i] / 1000 }'; }

median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }

load() { # body method count connections streams port [log]
  h2load -n "$3" -c "$4" -m "$5" -H 'content-type: application/grpc' -H 'te: trailers' \
    -d "$work/bodies/$1.bin" ${7:+--log-file "$7"} "http://127.0.0.1:$6/$2"
}

while IFS=$'\t' read -r name method reply at body; do
  load "$body" "$method" $((50000 / scale)) 16 32 "$at" >/dev/null
done <"$work/scenarios.tsv"

declare -A rps p50 p99 rounds_rps rounds_p99
for setting in "16 32 300000" "16 1 100000" "1 1 20000"; do
  read -r c m n <<<"$setting"
  n=$((n / scale))
  for round in $(seq "$rounds"); do
    while IFS=$'\t' read -r name method reply at body; do
      count=$n
      [ "$name" = batch-100 ] && count=$((n / 20))
      log="$work/$name-$c-$m-$round.log" # h2load appends to an existing log
      out=$(load "$body" "$method" "$count" "$c" "$m" "$at" "$log")
      succeeded=$(sed -n 's/^requests: .* \([0-9]*\) succeeded.*/\1/p' <<<"$out")
      data=$(sed -n 's/^traffic: .*(\([0-9]*\)) data$/\1/p' <<<"$out")
      if [ "$succeeded" != "$count" ] || [ "$data" != $((count * reply)) ]; then
        echo "$name $c x $m: $succeeded of $count succeeded, $data data bytes, expected $((count * reply)): answers were not all the verified reply" >&2
        echo "$out" >&2
        exit 1
      fi
      key="$name/$c/$m"
      rps[$key]+=" $(sed -n 's/^finished in .*, \([0-9.]*\) req\/s.*/\1/p' <<<"$out")"
      cut -f3 "$log" >"$log.us"
      p50[$key]+=" $(percentile "$log.us" 0.50)"
      p99[$key]+=" $(percentile "$log.us" 0.99)"
    done <"$work/scenarios.tsv"
  done
done

printf '%-14s %-8s %10s %9s %9s   (median of %s rounds)\n' scenario "c x m" "req/s" "p50 ms" "p99 ms" "$rounds"
for setting in "16 32" "16 1" "1 1"; do
  read -r c m <<<"$setting"
  while IFS=$'\t' read -r name method reply at body; do
    key="$name/$c/$m"
    rounds_rps[$key]=${rps[$key]} rounds_p99[$key]=${p99[$key]} # kept for the per-round ratios
    rps[$key]=$(median "${rps[$key]}")
    p50[$key]=$(median "${p50[$key]}")
    p99[$key]=$(median "${p99[$key]}")
    printf '%-14s %-8s %10.0f %9s %9s\n' "$name" "$c x $m" "${rps[$key]}" "${p50[$key]}" "${p99[$key]}"
  done <"$work/scenarios.tsv"
done

# Per round, the ratio of two scenarios measured side by side (same round, same setting); then their median.
paired() { # numerator-list denominator-list -> "r1 r2 ... : median"
  local ratios
  ratios=$(paste -d' ' <(tr ' ' '\n' <<<"$1" | grep .) <(tr ' ' '\n' <<<"$2" | grep .) | awk '{ printf "%.2f ", $1 / $2 }')
  echo "${ratios% }: median $(median "$ratios")"
}
echo
echo "Per round (rounds 1..$rounds) and median: Check against the empty handler and against Ping"
echo "(target, issue 18: throughput 16x32 >= 0.90 and p99 16x1 <= 1.10 of the empty handler's)"
for name in check-granted check-denied empty-check ping; do
  for base in empty ping; do
    [ "$name" = "$base" ] && continue
    [ "$base" = ping ] && [ "$name" = empty-check ] && continue
    printf '%-14s / %-6s throughput 16x32 %s\n' "$name" "$base" "$(paired "${rounds_rps[$name/16/32]}" "${rounds_rps[$base/16/32]}")"
    printf '%-14s / %-6s p99 16x1        %s\n' "$name" "$base" "$(paired "${rounds_p99[$name/16/1]}" "${rounds_p99[$base/16/1]}")"
  done
done

echo
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
for name in check-granted check-denied; do
  echo "$name / ping: throughput 16x32 $(ratio "${rps[$name/16/32]}" "${rps[ping/16/32]}") (target >= 0.80)," \
    "p99 16x1 $(ratio "${p99[$name/16/1]}" "${p99[ping/16/1]}") (target <= 1.25, and <= 2 ms: ${p99[$name/16/1]} ms)"
done
# A connect check is answered only after its audit event is committed (group commit): its own targets.
echo "check-tunnel / ping: throughput 16x32 $(ratio "${rps[check-tunnel/16/32]}" "${rps[ping/16/32]}") (target >= 0.50)," \
  "p99 16x1 $(ratio "${p99[check-tunnel/16/1]}" "${p99[ping/16/1]}") (target <= 10 ms: ${p99[check-tunnel/16/1]} ms)"
echo "batch-100 / check-granted: cost per call at 16x32 $(ratio "${rps[check-granted/16/32]}" "${rps[batch-100/16/32]}") (target <= 10)"
rss_kb=$(awk '/VmRSS/ {print $2}' "/proc/$service/status")
echo "service working set after the load: $((rss_kb / 1024)) MB (target <= 300 MB)"
if [ "$metrics" = 1 ]; then
  echo "metrics on: $(curl -s "http://127.0.0.1:$mport/metrics" | grep -c '^qbee_authz_checks_total') check series scraped from :$mport/metrics"
fi
