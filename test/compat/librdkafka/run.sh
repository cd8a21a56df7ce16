#!/usr/bin/env bash
# Runs librdkafka's own broker test suite (Debian's source package, built once and cached outside the repo)
# against a fresh Sluice broker; exits non-zero if any test not listed in skip.txt fails.
#
# Environment knobs (all optional):
#   SLUICE_CACHE_DIR                 where the librdkafka build is kept between runs (/var/cache/sluice)
#   SLUICE_LIBRDKAFKA_TESTS          only these test numbers, e.g. "0001 0012" (default: all that apply)
#   SLUICE_LIBRDKAFKA_JOBS           test-runner processes at once (3)
#   SLUICE_LIBRDKAFKA_TEST_TIMEOUT_S hard limit for one test number, on top of the runner's own timeouts (300)
#   SLUICE_LIBRDKAFKA_RETRIES=0      don't re-run a failed test alone (by default it gets one more try)
#   SLUICE_SKIP_BUILD=1              don't run `npm run build` (dist/ is already current)
#   SLUICE_BIN                       the sluice.js to start the broker with (this checkout's bin/sluice.js)
#   SLUICE_KEEP_WORK=1               keep the temp dir with broker and test logs even when everything passed
set -euo pipefail

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO=$(cd "$HERE/../../.." && pwd)
CACHE_ROOT=${SLUICE_CACHE_DIR:-/var/cache/sluice}
JOBS=${SLUICE_LIBRDKAFKA_JOBS:-3}
TEST_TIMEOUT_S=${SLUICE_LIBRDKAFKA_TEST_TIMEOUT_S:-300}
RETRIES=${SLUICE_LIBRDKAFKA_RETRIES:-1}
ONLY_TESTS=${SLUICE_LIBRDKAFKA_TESTS:-}
SLUICE_BIN=${SLUICE_BIN:-$REPO/bin/sluice.js}
# Sluice serves Kafka 3.0's API versions (ListOffsets v7, Fetch v12, JoinGroup v7); the tests gate on this.
KAFKA_VERSION=3.0.0
CONFIGURE_FLAGS=(--disable-ssl --disable-gssapi --disable-sasl --disable-curl)
# Bump the leading tag when the build steps change, so cached builds are redone.
BUILD_RECIPE="recipe-1 ${CONFIGURE_FLAGS[*]}"
BUILD_DEPS=(build-essential dpkg-dev pkg-config zlib1g-dev liblz4-dev libzstd-dev python3 rapidjson-dev)
# -L: skip local tests (they never talk to a broker), -E: skip sockem tests (client-side socket fault
# injection, slow, what `make quick` leaves out too), -Q: quick mode (fewer messages and iterations).
RUNNER_FLAGS=(-L -E -Q)

log() { printf '[librdkafka] %s\n' "$*"; }
die() {
  printf '[librdkafka] FATAL: %s\n' "$*" >&2
  exit 2
}

source_version() {
  apt-cache showsrc librdkafka 2>/dev/null | awk '/^Version:/ { print $2 }' | sort -V | tail -n 1
}

# bookworm keeps its sources in deb822 form; a separate file leaves the system's own file untouched.
ensure_deb_src() {
  [[ -n $(source_version) ]] && return
  local codename
  codename=$(. /etc/os-release && echo "$VERSION_CODENAME")
  log "adding a deb-src entry for $codename"
  cat >/etc/apt/sources.list.d/sluice-deb-src.sources <<EOF
# Added by Sluice's test/compat/librdkafka/run.sh: source packages for the librdkafka test suite.
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $codename $codename-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  apt-get update -qq
  [[ -n $(source_version) ]] || die "apt-cache still knows no librdkafka source package"
}

# Sets SRC_DIR to a librdkafka source tree whose libs and tests are built with BUILD_RECIPE.
build_if_stale() {
  ensure_deb_src
  local version build_dir stamp
  version=$(source_version)
  build_dir="$CACHE_ROOT/librdkafka-$version"
  stamp="$build_dir/sluice-build.stamp"
  mkdir -p "$CACHE_ROOT"
  # Two CI runs on one machine must not build into the same directory at once.
  exec 9>"$CACHE_ROOT/librdkafka.lock"
  flock 9
  if [[ -f $stamp && $(cat "$stamp") == "$version $BUILD_RECIPE" ]]; then
    SRC_DIR=$(find "$build_dir" -mindepth 1 -maxdepth 1 -type d -name 'librdkafka-*' | head -n 1)
    if [[ -x $SRC_DIR/tests/test-runner ]]; then
      log "using the cached build of librdkafka $version in $SRC_DIR"
      flock -u 9
      return
    fi
  fi
  log "building librdkafka $version and its tests in $build_dir (once per machine)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${BUILD_DEPS[@]}" >/dev/null
  rm -rf "$build_dir"
  mkdir -p "$build_dir"
  (cd "$build_dir" && apt-get source -qq "librdkafka=$version")
  SRC_DIR=$(find "$build_dir" -mindepth 1 -maxdepth 1 -type d -name 'librdkafka-*' | head -n 1)
  [[ -n $SRC_DIR ]] || die "apt-get source left no librdkafka-* directory in $build_dir"
  (
    cd "$SRC_DIR"
    ./configure "${CONFIGURE_FLAGS[@]}" >configure.log 2>&1 || { tail -n 30 configure.log; exit 1; }
    # Two cores are shared with the rest of CI: -j2 at most.
    nice make -j2 libs >make-libs.log 2>&1 || { tail -n 30 make-libs.log; exit 1; }
    nice make -j2 -C tests build >make-tests.log 2>&1 || { tail -n 30 make-tests.log; exit 1; }
  ) || die "building librdkafka failed (logs in $SRC_DIR)"
  echo "$version $BUILD_RECIPE" >"$stamp"
  flock -u 9
}

# 9092 when free, else any free port.
pick_port() {
  node -e '
    const net = require("node:net");
    const report = (s) => { console.log(s.address().port); s.close(); };
    const first = net.createServer();
    first.once("error", () => { const any = net.createServer(); any.listen(0, "127.0.0.1", () => report(any)); });
    first.listen(9092, "127.0.0.1", () => report(first));'
}

BROKER_PID=
start_broker() {
  local phase=$1
  shift
  local port ready_line log_file="$WORK/broker-$phase.log"
  port=$(pick_port)
  node "$SLUICE_BIN" broker --data-dir "$WORK/data-$phase" --port "$port" "$@" >"$log_file" 2>&1 &
  BROKER_PID=$!
  for _ in $(seq 1 300); do
    ready_line=$(grep -m 1 'sluice broker ready' "$log_file" || true)
    [[ -n $ready_line ]] && break
    kill -0 "$BROKER_PID" 2>/dev/null || { tail -n 20 "$log_file"; die "the broker exited before it was ready"; }
    sleep 0.1
  done
  [[ -n $ready_line ]] || { tail -n 20 "$log_file"; die "the broker was not ready within 30 s"; }
  log "$ready_line"
  BROKER_PORT=$port
}

stop_broker() {
  [[ -n $BROKER_PID ]] || return 0
  kill -TERM "$BROKER_PID" 2>/dev/null || true
  for _ in $(seq 1 100); do
    kill -0 "$BROKER_PID" 2>/dev/null || break
    sleep 0.1
  done
  kill -KILL "$BROKER_PID" 2>/dev/null || true
  wait "$BROKER_PID" 2>/dev/null || true
  BROKER_PID=
}

write_test_conf() {
  cat >"$WORK/test.conf" <<EOF
bootstrap.servers=localhost:$BROKER_PORT
# Sluice answers ApiVersions, so the client learns the real feature set; the fallback only applies if not.
api.version.request=true
broker.version.fallback=$KAFKA_VERSION
EOF
}

# One test number in its own runner process: a test that times out makes the runner SIGKILL itself,
# which would otherwise take every later test with it.
run_one() {
  local phase=$1 scenario=$2 id=$3 status=0
  # The outer braces catch bash's own "Aborted ..." notice for a crashed runner; the log has the story.
  {
    (
      cd "$SRC_DIR/tests"
      TESTS=$id TEST_REPORT="$WORK/reports/$phase-$id.json" RDKAFKA_TEST_CONF="$WORK/test.conf" \
        TEST_KAFKA_VERSION=$KAFKA_VERSION LD_LIBRARY_PATH=../src:../src-cpp \
        timeout -k 10 "$TEST_TIMEOUT_S" ./test-runner "${RUNNER_FLAGS[@]}" -s "$scenario"
    ) >"$WORK/logs/$phase-$id.log" 2>&1 || status=$?
  } 2>/dev/null
  echo "$status" >"$WORK/reports/$phase-$id.status"
  printf '[librdkafka] %s %-10s exit %s\n' "$id" "($phase)" "$status"
}

run_phase() {
  local phase=$1 scenario=$2
  shift 2
  local selection
  selection=$(node "$HERE/tests.mjs" select "$SRC_DIR/tests/test.c" "$HERE/skip.txt" "$scenario" "$ONLY_TESTS")
  grep '^skip ' <<<"$selection" | sed "s/^skip /$phase /" >>"$WORK/skipped.txt" || true
  local ids
  ids=$(grep '^run ' <<<"$selection" | cut -d' ' -f2 || true)
  [[ -n $ids ]] || return 0
  log "phase $phase: scenario $scenario, $(wc -w <<<"$ids") test numbers, broker settings: $*"
  start_broker "$phase" "$@"
  write_test_conf
  export -f run_one
  export WORK SRC_DIR TEST_TIMEOUT_S KAFKA_VERSION
  export RUNNER_FLAGS_STR="${RUNNER_FLAGS[*]}"
  # xargs children can't see bash arrays; run_one rebuilds RUNNER_FLAGS from the string.
  xargs -P "$JOBS" -n 1 bash -c 'RUNNER_FLAGS=($RUNNER_FLAGS_STR); run_one "$@"' _ "$phase" "$scenario" <<<"$ids" ||
    true
  retry_failures "$phase" "$scenario" "$ids"
  stop_broker
}

# Many of these tests race timers against a loaded 2-core machine, so a failure gets one more run, alone;
# a test that passes then still shows up in the summary as flaky.
retry_failures() {
  local phase=$1 scenario=$2 ids=$3 id base
  ((RETRIES > 0)) || return 0
  for id in $ids; do
    base="$WORK/reports/$phase-$id"
    [[ $(cat "$base.status") != 0 ]] || continue
    mv "$WORK/logs/$phase-$id.log" "$WORK/logs/$phase-$id.first-try.log"
    [[ -f $base.json ]] && mv "$base.json" "$base.first-try.json"
    log "retrying $id ($phase) alone"
    run_one "$phase" "$scenario" "$id"
    if [[ $(cat "$base.status") == 0 ]]; then echo "$id ($phase)" >>"$WORK/flaky.txt"; fi
  done
}

cleanup() {
  stop_broker
  if [[ ${KEEP_WORK:-1} == 0 ]]; then rm -rf "$WORK"; fi
}

main() {
  command -v node >/dev/null || die "node is not installed"
  build_if_stale
  if [[ ${SLUICE_SKIP_BUILD:-0} != 1 ]]; then (cd "$REPO" && npm run build --silent); fi
  [[ -f $(dirname "$SLUICE_BIN")/../dist/cli/main.js ]] || die "no dist/ beside $SLUICE_BIN: run npm run build"

  WORK=$(mktemp -d "${TMPDIR:-/tmp}/sluice-rdk.XXXXXX")
  mkdir -p "$WORK/reports" "$WORK/logs"
  : >"$WORK/skipped.txt"
  : >"$WORK/flaky.txt"
  trap cleanup EXIT

  local started=$SECONDS
  # Kafka defaults as librdkafka's trivup scenarios set them (4 partitions), including Kafka's 3 s
  # group.initial.rebalance.delay.ms: with 0, tests that start two consumers back to back (0118) race, and
  # the later one waits on a member that only rejoins when the app polls it, exactly as with Kafka.
  local common=(-c num.partitions=4 -c group.initial.rebalance.delay.ms=3000)
  run_phase default default "${common[@]}" -c auto.create.topics.enable=true
  run_phase noautocreate noautocreate "${common[@]}" -c auto.create.topics.enable=false

  log "results ($((SECONDS - started)) s; logs in $WORK/logs):"
  local summary status=0
  summary=$(node "$HERE/tests.mjs" summarize "$WORK/reports") || status=$?
  printf '%s\n' "$summary" | sed '$d'
  local skipped_count
  skipped_count=$(wc -l <"$WORK/skipped.txt")
  if ((skipped_count > 0)); then
    log "skipped by skip.txt:"
    sed 's/^/  /' "$WORK/skipped.txt"
  fi
  if [[ -s $WORK/flaky.txt ]]; then
    log "FLAKY: failed in the parallel run, passed alone (logs: $WORK/logs/*.first-try.log):"
    sed 's/^/  /' "$WORK/flaky.txt"
  fi
  local passed failed
  passed=$(tail -n 1 <<<"$summary" | sed -E 's/.*passed=([0-9]+).*/\1/')
  failed=$(tail -n 1 <<<"$summary" | sed -E 's/.*failed=([0-9]+).*/\1/')
  log "passed $passed, failed $failed, skipped $skipped_count"
  if ((status != 0)); then
    log "kept $WORK for the failures' logs"
  elif [[ -s $WORK/flaky.txt ]]; then
    log "kept $WORK for the flaky tests' logs"
  else
    KEEP_WORK=${SLUICE_KEEP_WORK:-0}
  fi
  echo "$passed passed, $failed failed"
  return "$status"
}

main "$@"
