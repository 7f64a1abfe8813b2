#!/bin/bash
# `tandem serve` with third-party Kafka clients: commands produced with kcat, their results read
# with kcat, the events read with kcat, with a confluent-kafka Python consumer and with
# `tandem tail`; the read verbs used on the same data folder while serve runs; then SIGTERM and
# a clean exit.
#
# usage: serve_third_party_test.sh TANDEM_BINARY PYTHON_CONSUMER_SCRIPT
set -euo pipefail

TANDEM=$1
CONSUMER=$2
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tandem-serve-XXXXXX")
DATA=$WORK/data
SERVE_PID=
cleanup() {
  if [ -n "$SERVE_PID" ] && kill -0 "$SERVE_PID" 2>/dev/null; then kill -KILL "$SERVE_PID"; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  echo "--- serve output:" >&2
  cat "$WORK/serve.out" >&2 || true
  exit 1
}

"$TANDEM" serve --data "$DATA" --partitions 3 --metrics-listen 127.0.0.1:0 >"$WORK/serve.out" 2>&1 &
SERVE_PID=$!
for _ in $(seq 1 200); do
  [ -s "$DATA/kafka.bootstrap" ] && break
  kill -0 "$SERVE_PID" 2>/dev/null || fail "serve exited early"
  sleep 0.1
done
[ -s "$DATA/kafka.bootstrap" ] || fail "no $DATA/kafka.bootstrap after 20 s"
BOOTSTRAP=$(cat "$DATA/kafka.bootstrap")
grep -q "bootstrap: $BOOTSTRAP" "$WORK/serve.out" || fail "serve did not print its bootstrap"

# Commands keyed by workspace, so each workspace's commands run in the order sent. Results are
# keyed by command id.
cmd() {  # workspace command_id actor type extra-json-fields
  printf '%s\t{"type":"%s","command_id":"%s","workspace":"%s","actor":"%s",%s}\n' \
    "$1" "$4" "$2" "$1" "$3" "$5"
}
{
  for ws in northwind contoso; do
    cmd $ws $ws-1 owner workspace.create '"name":"Studio"'
    cmd $ws $ws-2 owner client.add '"client_id":"acme","name":"Acme"'
    cmd $ws $ws-3 owner project.create '"project_id":"web","client_id":"acme","name":"Web"'
    for m in 1 2 3; do
      cmd $ws $ws-m$m owner milestone.plan \
        "\"project_id\":\"web\",\"milestone_id\":\"m$m\",\"title\":\"M$m\",\"planned_date\":\"2027-01-1$m\""
    done
  done
  cmd northwind northwind-m1 owner milestone.plan \
    '"project_id":"web","milestone_id":"m1","title":"M1","planned_date":"2027-01-11"'
  printf 'bad-1\t{"type": "milestone.plan", \n'
} >"$WORK/commands.txt"
kcat -P -b "$BOOTSTRAP" -t tandem.commands -K $'\t' <"$WORK/commands.txt"
RESULTS=14
timeout 30 kcat -C -b "$BOOTSTRAP" -t tandem.command-results -o beginning -c $RESULTS -q \
  -f '%k\t%s\n' >"$WORK/results.txt" || fail "fewer than $RESULTS results"
[ "$(wc -l <"$WORK/results.txt")" -eq $RESULTS ] || fail "not $RESULTS results"
result() {  # key n-th(1-based) -> value
  awk -F'\t' -v k="$1" -v n="$2" '$1 == k { if (++seen == n) { print $2; exit } }' "$WORK/results.txt"
}
for ws in northwind contoso; do
  for id in $ws-1 $ws-2 $ws-3 $ws-m1 $ws-m2 $ws-m3; do
    [ "$(result $id 1 | jq -r .ok)" = true ] || fail "command $id: $(result $id 1)"
  done
done
[ "$(result northwind-m1 1 | jq -r .deduplicated)" = false ] || fail "first answer deduplicated"
[ "$(result northwind-m1 2 | jq -r .deduplicated)" = true ] || fail "retry not deduplicated"
[ "$(result northwind-m1 1 | jq -c '[.events[].event_id]')" = \
  "$(result northwind-m1 2 | jq -c '[.events[].event_id]')" ] || fail "retry answered other events"
[ "$(result bad-1 1 | jq -r .error.reason)" = command.malformed_json ] || fail "malformed: $(result bad-1 1)"

# A second serve on the same folder is refused and leaves the first one's address alone.
STATUS=0
"$TANDEM" serve --data "$DATA" >"$WORK/second.out" 2>&1 || STATUS=$?
[ "$STATUS" -eq 1 ] || fail "a second serve on the folder exited with $STATUS"
[ "$(cat "$DATA/kafka.bootstrap")" = "$BOOTSTRAP" ] || fail "the second serve touched kafka.bootstrap"
STATUS=0
"$TANDEM" serve --data "$WORK/other" --events-format xml >/dev/null 2>&1 || STATUS=$?
[ "$STATUS" -eq 2 ] || fail "a bad --events-format exited with $STATUS"
for listen in 9464 +0 "0.0.0.0:9464,9465" "[::1]:0"; do  # a bare port would listen everywhere
  STATUS=0
  "$TANDEM" serve --data "$WORK/other" --metrics-listen "$listen" >/dev/null 2>&1 || STATUS=$?
  [ "$STATUS" -eq 2 ] || fail "--metrics-listen $listen exited with $STATUS"
done

# The read verbs work on the folder serve holds.
EVENTS=$("$TANDEM" read --data "$DATA" | wc -l)
[ "$EVENTS" -gt 12 ] || fail "the log holds $EVENTS events"
"$TANDEM" verify --data "$DATA" >/dev/null || fail "tandem verify while serving"
"$TANDEM" projections --data "$DATA" >"$WORK/projections.txt" || fail "tandem projections while serving"
"$TANDEM" view --name internal-timeline --data "$DATA" --workspace northwind --member owner --project web \
  >"$WORK/timeline.json" || fail "tandem view while serving"
[ "$(jq '.milestones | length' "$WORK/timeline.json")" -eq 3 ] || fail "the view misses milestones: $(cat "$WORK/timeline.json")"
"$TANDEM" report --data "$DATA" --workspace northwind --as owner >"$WORK/report.json" ||
  fail "tandem report while serving"

# The metrics, scraped with curl as Prometheus would: the commands, the log, the relay and each
# view's lag.
METRICS_URL=$(grep -o 'http://127.0.0.1:[0-9]*/metrics' "$WORK/serve.out") || fail "no metrics URL"
curl -sf "$METRICS_URL" >"$WORK/metrics.txt" || fail "curl $METRICS_URL"
grep -q '^tandem_commands_total{.*result="ok".*} [1-9]' "$WORK/metrics.txt" ||
  fail "metrics: no command counted: $(grep tandem_commands_total "$WORK/metrics.txt")"
grep -q '^tandem_log_events_appended_total [1-9]' "$WORK/metrics.txt" || fail "metrics: no append"
grep -q '^tandem_projection_lag_events{projection="client-timeline"} ' "$WORK/metrics.txt" ||
  fail "metrics: no lag of the client timeline"
grep -q '^tandem_relay_' "$WORK/metrics.txt" || fail "metrics: no relay"
grep -q '^tandem_intake_records_total [1-9]' "$WORK/metrics.txt" || fail "metrics: no intake"

# The events topic: kcat, the Python consumer and tandem tail each see every event once.
timeout 30 kcat -C -b "$BOOTSTRAP" -t tandem.events -o beginning -c "$EVENTS" -q \
  -f '%p\t%o\t%k\t%h\n' >"$WORK/events.txt" || fail "kcat read fewer than $EVENTS events"
awk -F'\t' '
  { n = split($4, hs, ","); pos = ""; names = 0
    for (i = 1; i <= n; i++) {
      split(hs[i], kv, "="); if (kv[1] ~ /^tandem\./) names++
      if (kv[1] == "tandem.global_position") pos = kv[2] + 0 }
    if (names < 6 || pos == "") { print "headers missing at " $1 "/" $2; exit 1 }
    if (pos <= last[$1] || pos <= lastkey[$3]) { print "out of order at " $1 "/" $2; exit 1 }
    last[$1] = pos; lastkey[$3] = pos }' "$WORK/events.txt" || fail "kcat events: order or headers"
/usr/bin/python3 "$CONSUMER" "$BOOTSTRAP" tandem.events "$EVENTS" 30 || fail "python consumer"
"$TANDEM" status --data "$DATA" --format json >"$WORK/status.json" || fail "tandem status while serving"
jq -e --arg b "$BOOTSTRAP" '.kafka_bootstrap == $b' "$WORK/status.json" >/dev/null ||
  fail "tandem status: $(cat "$WORK/status.json")"
"$TANDEM" tail --data "$DATA" --from-beginning --exit-at-end >"$WORK/tail.txt" || fail "tandem tail"
[ "$(wc -l <"$WORK/tail.txt")" -eq "$EVENTS" ] || fail "tandem tail printed $(wc -l <"$WORK/tail.txt") events"
[ "$(jq -s '[.[].global_position] | sort | . == [range(1; length + 1)]' "$WORK/tail.txt")" = true ] ||
  fail "tandem tail: not every position once"

kill -TERM "$SERVE_PID"
STATUS=0
wait "$SERVE_PID" || STATUS=$?
SERVE_PID=
[ "$STATUS" -eq 0 ] || fail "serve exited with $STATUS after SIGTERM"
grep -q "stopped" "$WORK/serve.out" || fail "serve did not say it stopped"
[ ! -e "$DATA/kafka.bootstrap" ] || fail "kafka.bootstrap left behind"
"$TANDEM" verify --data "$DATA" >/dev/null || fail "tandem verify after serve"
echo "PASS: $RESULTS results, $EVENTS events through kcat, confluent-kafka and tandem tail"
