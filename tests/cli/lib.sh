# Helpers shared by the command-line tests; sourced after the test has set
# `sipline` (the binary) and `tmp` (its scratch directory).
# shellcheck shell=bash

failures=0
fail() {
  echo "FAIL: $*"
  failures=$((failures + 1))
}

# run ARGS...: runs sipline, leaving $status, $out and $err.
run() {
  "$sipline" "$@" >"$tmp/out" 2>"$tmp/err"
  status=$?
  out=$(cat "$tmp/out")
  err=$(cat "$tmp/err")
}

expect_status() {  # expect_status WANT WHAT
  ((status == $1)) || fail "$2: exit status $status, want $1 (stdout: ${out:0:300}; stderr: ${err:0:300})"
}

expect_line() {  # expect_line TEXT PATTERN WHAT: some line of TEXT matches the extended regex
  grep -Eq -- "$2" <<<"$1" || fail "$3: no line matching '$2' in: ${1:0:800}"
}

# For tests that start processes: record each pid in `pids`; cleanup_started
# kills them all and removes $tmp.
pids=()
cleanup_started() {
  local p
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; done
  for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
  rm -rf "$tmp"
}

wait_for() {  # wait_for FILE PATTERN SECONDS: true once a line of FILE matches
  local i
  for ((i = 0; i < $3 * 10; i++)); do
    grep -Eq -- "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

json_check() {  # json_check FILE PYTHON-EXPRESSION: true when it holds, `j` bound to the document
  python3 -c 'import json,sys; j=json.load(open(sys.argv[1])); sys.exit(0 if eval(sys.argv[2]) else 1)' "$1" "$2"
}

udp_port_held() {  # udp_port_held PORT: true when a socket holds UDP 127.0.0.1:PORT (a bind fails)
  python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
try:
    s.bind(("127.0.0.1", int(sys.argv[1])))
except OSError:
    sys.exit(0)
sys.exit(1)' "$1"
}

# start_sipp_registrar SCENARIO PICK_PORT: SIPp on UDP 127.0.0.1:$sipp_port,
# the port printed by the command PICK_PORT, messages traced to
# $tmp/sipp-messages.log, its pid added to `pids`. The port is free a moment
# before SIPp binds it; when another process (a test running alongside)
# takes it first, SIPp exits with "Unable to bind main socket" and starts
# again on another port, five attempts in all.
start_sipp_registrar() {
  local i pid
  for _ in 1 2 3 4 5; do
    sipp_port=$("$2")
    sipp -sf "$1" -i 127.0.0.1 -p "$sipp_port" -t u1 -nostdin \
      -trace_msg -message_file "$tmp/sipp-messages.log" >"$tmp/sipp.log" 2>&1 &
    pid=$!
    for i in $(seq 50); do  # until the port is held or SIPp has exited (5 s)
      if udp_port_held "$sipp_port" || ! kill -0 "$pid" 2>/dev/null; then break; fi
      sleep 0.1
    done
    sleep 0.05  # the port may be another process's: SIPp then fails at once
    if kill -0 "$pid" 2>/dev/null || ! grep -q "Unable to bind" "$tmp/sipp.log"; then
      pids+=("$pid")
      return 0
    fi
  done
  return 1
}
