#!/usr/bin/env bash
# Runs the tests under sanitizers, each in its own build folder:
#   ./ops/sanitize.sh asan   the whole suite under AddressSanitizer + UndefinedBehaviorSanitizer
#                            (build-asan)
#   ./ops/sanitize.sh tsan   the concurrency tests (the log's append, append_async, conditions,
#                            subscription and crash tests; the command handler's races; the
#                            projection runner's tests, crash test and grouped catch-up; the
#                            views database's ingested commits; read-only opens beside a
#                            writer's flushes; reads racing the runner's commits; as-of
#                            reads, which read a long stream on two threads; views
#                            snapshots taken on a thread beside the runner; the Kafka
#                            relay, workers and command intake over the embedded cluster)
#                            under ThreadSanitizer
#                            (build-tsan)
#   ./ops/sanitize.sh        both
# Every report fails its test: nothing of ours is suppressed, and -fno-sanitize-recover=all
# (CMake option TANDEM_SANITIZE) makes the first report abort the process. JOBS sets the
# parallelism (default: all cores). Exits non-zero if any test fails.
set -euo pipefail
cd "$(dirname "$0")/.."
jobs="${JOBS:-$(nproc)}"
launcher=()
if command -v ccache >/dev/null; then launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache); fi

configure_and_build() {  # <folder> <sanitizers> [targets...]
  local dir="$1" sanitizers="$2"
  shift 2
  if [ ! -f "$dir/CMakeCache.txt" ]; then
    cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTANDEM_SANITIZE="$sanitizers" \
      "${launcher[@]}"
  fi
  if [ $# -eq 0 ]; then
    cmake --build "$dir" -j "$jobs"
  else
    cmake --build "$dir" -j "$jobs" --target "$@"
  fi
}

run_asan() {
  configure_and_build build-asan address,undefined
  # detect_leaks: leaks fail the run too. print_stacktrace: UBSan names the call path.
  (cd build-asan &&
    ASAN_OPTIONS="detect_leaks=1:abort_on_error=0:strict_string_checks=1" \
    UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
    ctest --output-on-failure -j "$jobs" --timeout 900)
}

run_tsan() {
  configure_and_build build-tsan thread event_log_append_test event_log_append_async_test \
    event_log_conditions_test event_log_subscription_test event_log_crash_test crash_appender \
    command_concurrency_test command_races_test projection_runner_test projection_crash_test \
    crash_projector timeline_view_test round_events_test view_store_ingest_test \
    read_only_open_test view_store_beside_writer_test view_order_review_test \
    embedded_cluster_test event_message_test event_relay_test relay_parts_test relay_outage_test \
    relay_crash_test crash_relay kafka_worker_test kafka_worker_crash_test worker_hostile_test \
    command_intake_test worker_fold_ready_test kafka_worker_ready_test view_snapshots_test
  # ThreadSanitizer needs a fixed address layout on kernels with high mmap randomisation.
  local norandom=()
  if command -v setarch >/dev/null && setarch "$(uname -m)" -R true 2>/dev/null; then
    norandom=(setarch "$(uname -m)" -R)
  fi
  (cd build-tsan &&
    TSAN_OPTIONS="halt_on_error=1:second_deadlock_stack=1:suppressions=$PWD/../ops/tsan.supp" \
    "${norandom[@]}" ctest --output-on-failure -j "$jobs" --timeout 900 \
      -R '^(EventLogAppend|EventLogAppendAsync|EventLogConditions|EventLogSubscription|EventLogCrash|CommandConcurrency|CommandRaces|ProjectionRunner|ProjectionCrash|TimelineViewTest\.AsOf|GroupedCatchUp|ViewStoreIngest|ReadOnlyOpen|ViewStoreBesideWriter|ViewOrderReview|EmbeddedCluster|BootstrapFile|EventMessage|EventPartition|GlobalPositionHeader|EventRelay|DeliveryTracker|TailPlan|PositionFile|RelayOutage|RelayCrash|KafkaWorker|WorkerFoldReady|WorkerHostile|WorkerDamaged|CommandIntake|ViewSnapshots)')
}

status=0
case "${1:-all}" in
  asan) run_asan || status=1 ;;
  tsan) run_tsan || status=1 ;;
  all)
    run_asan || status=1
    run_tsan || status=1
    ;;
  *)
    echo "usage: $0 [asan|tsan|all]" >&2
    exit 2
    ;;
esac
exit "$status"
