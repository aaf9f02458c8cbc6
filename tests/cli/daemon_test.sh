#!/usr/bin/env bash
# Tests `sipline run` and its control-socket clients against a SIPp registrar
# on loopback: registration, the events stream on stdout and through
# `sipline events`, `sipline status` (table and --json), register/unregister,
# SIGHUP reload, SIGTERM unregistering and exit 0, configuration errors,
# and a second daemon on the same control socket.
# Usage: daemon_test.sh SIPLINE_BINARY SIPP_SCENARIO_DIR
set -uo pipefail

sipline=$1
scenarios=$2
if ! command -v sipp >/dev/null; then
  echo "SKIP: sipp is not installed (Debian package sip-tester)"
  exit 0
fi

tmp=$(mktemp -d)
source "$(dirname "$0")/lib.sh"
trap cleanup_started EXIT

free_udp_port() {
  python3 -c 'import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# events_check FILE PYTHON-EXPRESSION: true when some event line `e` satisfies it.
events_check() {
  python3 -c '
import json, sys
for line in open(sys.argv[1]):
    e = json.loads(line)
    if eval(sys.argv[2]):
        sys.exit(0)
sys.exit(1)' "$1" "$2"
}

sipp_port=$(free_udp_port)
control="$tmp/control.sock"

write_config() {  # write_config FILE [second account]
  cat >"$1" <<TOML
[sip]
listen_address = "127.0.0.1"
listen_port = 5060   # overridden by --listen

[[account]]
name = "office"
username = "1001"
password = "s3cret-pass"
domain = "127.0.0.1"
registration_timeout = 60

[[account.server]]
address = "127.0.0.1"
port = $sipp_port
transport = "udp"
TOML
  if [[ ${2:-} == second ]]; then
    cat >>"$1" <<TOML

[[account]]
name = "home"
username = "1002"
password = "other-pass"
domain = "127.0.0.1"

[[account.server]]
address = "127.0.0.1"
port = $sipp_port
transport = "udp"
TOML
  fi
  chmod 600 "$1"
}

# --- usage and configuration errors (nothing is started) ---
for cmd in run status events register unregister reload; do
  "$sipline" "$cmd" --help >"$tmp/help" 2>&1 || fail "$cmd --help: exit status $?"
  grep -q -- "--control" "$tmp/help" || fail "$cmd --help does not mention --control"
done

"$sipline" run >/dev/null 2>&1
(($? == 2)) || fail "run without -c: exit status $?, want 2"

cat >"$tmp/bad.toml" <<'TOML'
[[account]]
name = "office"
username = "1001"
registration_timeout = "soon"
TOML
chmod 600 "$tmp/bad.toml"
"$sipline" run -c "$tmp/bad.toml" --control "$control" >"$tmp/out" 2>"$tmp/err"
status=$?
((status == 2)) || fail "invalid configuration: exit status $status, want 2"
grep -Eq "^$tmp/bad.toml:[0-9]+: [][a-z_.0-9]+: .+" "$tmp/err" ||
  fail "invalid configuration: no 'file:line: key: reason' on stderr: $(cat "$tmp/err")"
[[ ! -e $control ]] || fail "invalid configuration: the control socket was created"
[[ ! -s $tmp/out ]] || fail "invalid configuration: events were written"

"$sipline" run -c "$tmp/missing.toml" --control "$control" >/dev/null 2>&1
(($? == 2)) || fail "missing configuration file: exit status $?, want 2"

write_config "$tmp/ok.toml"
"$sipline" run -c "$tmp/ok.toml" --listen "not an address" --control "$control" >/dev/null 2>&1
(($? == 2)) || fail "bad --listen: exit status $?, want 2"

"$sipline" status --control "$control" >/dev/null 2>"$tmp/err"
(($? == 1)) || fail "status without a daemon: exit status $?, want 1"

# --- a running daemon against the SIPp registrar ---
start_sipp_registrar "$scenarios/registrar.xml" free_udp_port ||
  fail "SIPp could not bind a free port: $(cat "$tmp/sipp.log")"

write_config "$tmp/sipline.toml"
chmod 644 "$tmp/sipline.toml"  # readable by others: a warning, not an error
"$sipline" run -c "$tmp/sipline.toml" --listen 127.0.0.1:0 --control "$control" \
  --log-level debug >"$tmp/events.jsonl" 2>"$tmp/daemon.log" &
daemon=$!
pids+=("$daemon")

wait_for "$tmp/events.jsonl" '"type":"registered"' 15 ||
  fail "no registered event within 15 s: $(cat "$tmp/events.jsonl" "$tmp/daemon.log" "$tmp/sipp.log")"
grep -qi "readable" "$tmp/daemon.log" || fail "no warning about a configuration file readable by others"
grep -q "s3cret-pass" "$tmp/daemon.log" "$tmp/events.jsonl" && fail "the password was printed"

events_check "$tmp/events.jsonl" \
  'e["type"] == "registering" and e["account"] == "office" and e["server"]' ||
  fail "no registering event with a server"
events_check "$tmp/events.jsonl" \
  "e['type'] == 'registered' and e['account'] == 'office' and '$sipp_port' in e['server'] and isinstance(e['expires'], int) and e['time'].endswith('Z') and len(e['time']) == 24 and 'reason' in e and 'failure' in e and 'previous_server' in e and 'next_attempt' in e" ||
  fail "registered event does not follow the contract: $(cat "$tmp/events.jsonl")"

"$sipline" status --json --control "$control" >"$tmp/status.json" 2>"$tmp/err" ||
  fail "status --json: exit status $? ($(cat "$tmp/err"))"
json_check "$tmp/status.json" \
  "j['accounts'][0]['account'] == 'office' and j['accounts'][0]['state'] == 'registered' and '$sipp_port' in j['accounts'][0]['server'] and j['accounts'][0]['role'] == 'primary' and 0 < j['accounts'][0]['expires_in'] <= 60" ||
  fail "status --json: $(cat "$tmp/status.json")"

"$sipline" status --control "$control" >"$tmp/status.txt" 2>&1 || fail "status: exit status $?"
grep -Eq '^ACCOUNT +STATE +SERVER +ROLE +SINCE +EXPIRES IN +LAST FAILURE' "$tmp/status.txt" ||
  fail "status table header: $(cat "$tmp/status.txt")"
grep -Eq "^office +registered +sip:127.0.0.1:$sipp_port.* +primary +" "$tmp/status.txt" ||
  fail "status table row: $(cat "$tmp/status.txt")"

# A second daemon on the same control socket refuses to start.
"$sipline" run -c "$tmp/ok.toml" --listen 127.0.0.1:0 --control "$control" >"$tmp/out2" 2>"$tmp/err2"
(($? == 1)) || fail "second daemon on the same control socket: exit status $?, want 1"
grep -q "already" "$tmp/err2" || fail "second daemon: no explanation: $(cat "$tmp/err2")"

# The events stream through the control socket.
"$sipline" events --control "$control" >"$tmp/client-events.jsonl" 2>"$tmp/client-events.err" &
client=$!
pids+=("$client")
sleep 0.5

"$sipline" unregister office --control "$control" >/dev/null 2>&1 || fail "unregister: exit status $?"
wait_for "$tmp/client-events.jsonl" '"type":"unregistered"' 10 ||
  fail "events client: no unregistered event after unregister"
"$sipline" register office --control "$control" >/dev/null 2>&1 || fail "register: exit status $?"
"$sipline" register nobody --control "$control" >/dev/null 2>&1
(($? == 1)) || fail "register of an unknown account: exit status $?, want 1"
sleep 1
before=$(grep -c '"type":"registered"' "$tmp/client-events.jsonl")
((before >= 1)) || fail "events client: no registered event after register"

# SIGHUP: a second account appears, the first is left alone.
office_before=$(grep -c '"account":"office".*"type":"registered"' "$tmp/events.jsonl")
write_config "$tmp/sipline.toml" second
kill -HUP "$daemon"
wait_for "$tmp/events.jsonl" '"account":"home".*"type":"registered"' 15 ||
  fail "SIGHUP: the added account did not register: $(tail -5 "$tmp/daemon.log")"
"$sipline" status --json --control "$control" >"$tmp/status2.json" 2>/dev/null
json_check "$tmp/status2.json" \
  "[a['account'] for a in j['accounts']] == ['office', 'home'] and j['accounts'][0]['state'] == 'registered'" ||
  fail "status after reload: $(cat "$tmp/status2.json")"
office_after=$(grep -c '"account":"office".*"type":"registered"' "$tmp/events.jsonl")
((office_after == office_before)) || fail "SIGHUP: the unchanged account registered again"

# SIGTERM: every account unregisters, then exit 0.
kill -TERM "$daemon"
for ((i = 0; i < 150; i++)); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
if kill -0 "$daemon" 2>/dev/null; then
  fail "SIGTERM: still running after 15 s"
else
  wait "$daemon"
  status=$?
  ((status == 0)) || fail "SIGTERM: exit status $status, want 0: $(tail -5 "$tmp/daemon.log")"
fi
for account in office home; do
  events_check "$tmp/events.jsonl" "e['type'] == 'unregistered' and e['account'] == '$account'" ||
    fail "SIGTERM: no unregistered event for $account"
done
grep -Eqi 'expires[=:] *0' "$tmp/sipp-messages.log" || fail "SIGTERM: no REGISTER with expires 0 reached the registrar"
[[ ! -e $control ]] || fail "SIGTERM: the control socket was left behind"
# The events client ends when the daemon goes away.
for ((i = 0; i < 50; i++)); do kill -0 "$client" 2>/dev/null || break; sleep 0.1; done
kill -0 "$client" 2>/dev/null && fail "events client still running after the daemon stopped"

# --events text and SIGINT.
write_config "$tmp/text.toml"
"$sipline" run -c "$tmp/text.toml" --listen 127.0.0.1:0 --control "$control" --events text \
  >"$tmp/events.txt" 2>"$tmp/daemon-text.log" &
daemon=$!
pids+=("$daemon")
wait_for "$tmp/events.txt" \
  '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z office registered on sip:127\.0\.0\.1:' 15 ||
  fail "--events text: no registered line: $(cat "$tmp/events.txt" "$tmp/daemon-text.log")"
kill -INT "$daemon"
for ((i = 0; i < 150; i++)); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
wait "$daemon"
status=$?
((status == 0)) || fail "SIGINT: exit status $status, want 0"
grep -Eq ' office unregistered' "$tmp/events.txt" || fail "SIGINT: no unregistered line"

if ((failures > 0)); then
  echo "$failures failure(s)"
  echo "--- daemon log ---"
  cat "$tmp/daemon.log"
  exit 1
fi
echo "all daemon tests passed"
