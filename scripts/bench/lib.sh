# Shared by the benchmarks: start eventd on a fresh database, sign in, create events, run wrk and parse its result.
# Sourced, not run.
set -euo pipefail
BENCH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$BENCH_DIR/../.." && pwd)"
DURATION="${BENCH_DURATION:-10s}"
CONNECTIONS="${BENCH_CONNECTIONS:-64}"
WRK_THREADS="${BENCH_WRK_THREADS:-2}"
ADMIN_EMAIL=bench-admin@example.org
ADMIN_PASSWORD=bench-password-123
WORK="$(mktemp -d /tmp/eventd-bench.XXXXXX)"
SERVER_PID=""

cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

prepare() {
  EVENTD_SETUP_TEST=1 "$ROOT/scripts/setup"
  "$ROOT/scripts/build" >/dev/null
}

# start_server NAME [extra eventd flags...]: sets BASE_URL and TOKEN (BENCH_DB: another database, e.g. a PostgreSQL
# URL). The server runs as shipped (its default config,
# request log and mail on) unless the flags say otherwise; a case that switches something off is labelled so.
start_server() {
  local name="$1"; shift
  stop_server
  mkdir -p "$WORK/$name"
  # wrk sends every registration from one address: lift the public form's per-address and per-recipient limits.
  # EVENTD_BIN runs another build (scripts/bench/compare); BENCH_NO_CONFIG=1 for a build older than those settings.
  local config=()
  if [ "${BENCH_NO_CONFIG:-0}" != 1 ]; then
    # BENCH_CONFIG_EXTRA: more settings for this benchmark, as JSON members ('"max_connections": 30000, ...').
    echo "{\"public_write_burst\": 0, \"mail_per_recipient_per_hour\": 0${BENCH_CONFIG_EXTRA:+, $BENCH_CONFIG_EXTRA}}" \
      > "$WORK/$name/bench.json"
    config=(--config "$WORK/$name/bench.json")
  fi
  EVENTD_ADMIN_EMAIL=$ADMIN_EMAIL EVENTD_ADMIN_PASSWORD=$ADMIN_PASSWORD \
    "${EVENTD_BIN:-$ROOT/build/eventd}" --listen 127.0.0.1:0 --db "${BENCH_DB:-$WORK/$name/eventd.db}" --web "$ROOT/web" "${config[@]}" "$@" \
    > "$WORK/$name/stdout" 2> "$WORK/$name/stderr" &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    BASE_URL=$(sed -n 's/^listening on //p' "$WORK/$name/stdout" 2>/dev/null || true)
    [ -n "$BASE_URL" ] && break
    sleep 0.1
  done
  [ -n "$BASE_URL" ] || { cat "$WORK/$name/stderr"; echo "server did not start" >&2; exit 1; }
  TOKEN=$(curl -sf -X POST "$BASE_URL/api/v1/session" -H 'content-type: application/json' \
    -d "{\"email\":\"$ADMIN_EMAIL\",\"password\":\"$ADMIN_PASSWORD\"}" | sed 's/.*"token":"\([^"]*\)".*/\1/')
}

stop_server() {
  if [ -n "$SERVER_PID" ]; then
    kill "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
    SERVER_PID=""
  fi
}

# create_events N: prints N new event ids (unlimited capacity, published, a month ahead).
create_events() {
  local n="$1" i
  for i in $(seq 1 "$n"); do
    curl -sf -X POST "$BASE_URL/api/v1/events" -H 'content-type: application/json' -H "Authorization: Bearer $TOKEN" \
      -d "{\"kind\":\"seminar\",\"title\":\"Bench $i\",\"starts_at\":\"2030-01-01T09:00:00+01:00\",\"ends_at\":\"2030-01-01T12:00:00+01:00\",\"status\":\"published\"}" \
      | sed 's/^{.*"id":\([0-9]*\),.*/\1/'
    echo
  done
}

# run_wrk LABEL SCRIPT PATH [script args...]: prints "LABEL rps p50_ms p99_ms errors"
run_wrk() {
  local label="$1" script="$2" path="$3"; shift 3
  local out
  if [ -n "$script" ]; then
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$script" "$BASE_URL$path" -- "$@" 2>&1)
  else
    out=$(wrk -t"$WRK_THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$BENCH_DIR/report.lua" "$BASE_URL$path" 2>&1)
  fi
  local result
  result=$(echo "$out" | grep '^RESULT' | sed 's/^RESULT //')
  [ -n "$result" ] || { echo "$out" >&2; echo "wrk gave no result for $label" >&2; exit 1; }
  echo "$label $result"
}

machine() {
  echo "$(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(df -T "$WORK" | awk 'NR==2 {print $2}') filesystem"
}
