#!/usr/bin/env bash
# A reload that changes the listen port: the daemon binds the new port before
# it lets go of the old one, then every account registers again with a
# Contact on the new port; a port already in use is refused and the running
# configuration, sockets and registration stay as they were.
# Usage: reload_listen_test.sh SIPLINE_BINARY SIPP_SCENARIO_DIR
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

# A port free for both UDP and TCP on 127.0.0.1 (the daemon binds both).
free_port() {
  python3 -c '
import socket
while True:
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); u.bind(("127.0.0.1", 0))
    port = u.getsockname()[1]
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        t.bind(("127.0.0.1", port)); print(port); break
    except OSError:
        pass
    finally:
        t.close(); u.close()'
}

sipp_port=$(free_port)
first_port=$(free_port)
second_port=$(free_port)
control="$tmp/control.sock"

write_config() {  # write_config LISTEN_PORT [VERIFY_PEER]
  cat >"$tmp/sipline.toml" <<TOML
[sip]
listen_address = "127.0.0.1"
listen_port = $1

[tls]
verify_peer = ${2:-true}

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
  chmod 600 "$tmp/sipline.toml"
}

start_sipp_registrar "$scenarios/registrar.xml" free_port ||
  fail "SIPp could not bind a free port: $(cat "$tmp/sipp.log")"

write_config "$first_port"
"$sipline" run -c "$tmp/sipline.toml" --control "$control" --log-level debug \
  >"$tmp/events.jsonl" 2>"$tmp/daemon.log" &
daemon=$!
pids+=("$daemon")
wait_for "$tmp/events.jsonl" '"type":"registered"' 15 ||
  fail "no registered event within 15 s: $(cat "$tmp/daemon.log")"
grep -Eq "^Contact: .*127\.0\.0\.1:$first_port" "$tmp/sipp-messages.log" ||
  fail "the first REGISTER does not carry the configured port $first_port"

# --- the listen port changes: new sockets, every account registers again ---
registered_before=$(grep -c '"type":"registered"' "$tmp/events.jsonl")
write_config "$second_port"
"$sipline" reload --control "$control" >"$tmp/reload.out" 2>&1 ||
  fail "reload to port $second_port: exit status $? ($(cat "$tmp/reload.out"))"
for ((i = 0; i < 100; i++)); do
  (($(grep -c '"type":"registered"' "$tmp/events.jsonl") > registered_before)) && break
  sleep 0.1
done
(($(grep -c '"type":"registered"' "$tmp/events.jsonl") > registered_before)) ||
  fail "no new registration after the listen port changed: $(tail -5 "$tmp/daemon.log")"
grep -Eq "^Contact: .*127\.0\.0\.1:$second_port" "$tmp/sipp-messages.log" ||
  fail "no REGISTER with a Contact on the new port $second_port"
grep -Eiq "^Contact: .*127\.0\.0\.1:$first_port.*expires=0|^Expires: *0" "$tmp/sipp-messages.log" ||
  fail "the binding on the old port was not removed"
"$sipline" status --json --control "$control" >"$tmp/status.json" 2>/dev/null
json_check "$tmp/status.json" \
  "j['accounts'][0]['state'] == 'registered' and 'udp 127.0.0.1:$second_port' in j['listen'] and not any(':$first_port' in l for l in j['listen'])" ||
  fail "status after the port change: $(cat "$tmp/status.json")"
python3 -c 'import socket,sys; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", int(sys.argv[1])))' \
  "$first_port" 2>/dev/null || fail "the old port $first_port is still bound"

# --- only TLS changes: the same fixed port is bound again (closed first) ---
registered_before=$(grep -c '"type":"registered"' "$tmp/events.jsonl")
write_config "$second_port" false
"$sipline" reload --control "$control" >"$tmp/reload-tls.out" 2>&1 ||
  fail "reload with a TLS change on the same port: exit status $? ($(cat "$tmp/reload-tls.out"))"
for ((i = 0; i < 100; i++)); do
  (($(grep -c '"type":"registered"' "$tmp/events.jsonl") > registered_before)) && break
  sleep 0.1
done
(($(grep -c '"type":"registered"' "$tmp/events.jsonl") > registered_before)) ||
  fail "no new registration after the TLS settings changed: $(tail -5 "$tmp/daemon.log")"
"$sipline" status --json --control "$control" >"$tmp/status-tls.json" 2>/dev/null
json_check "$tmp/status-tls.json" \
  "j['accounts'][0]['state'] == 'registered' and 'udp 127.0.0.1:$second_port' in j['listen']" ||
  fail "status after the TLS change: $(cat "$tmp/status-tls.json")"

# --- a port in use (the registrar's own) is refused, nothing changes ---
registered_before=$(grep -c '"type":"registered"' "$tmp/events.jsonl")
write_config "$sipp_port" false
"$sipline" reload --control "$control" >"$tmp/reload2.out" 2>&1
status=$?
((status == 1)) || fail "reload to a port in use: exit status $status, want 1"
grep -q "$sipp_port" "$tmp/reload2.out" || fail "reload to a port in use: no reason given: $(cat "$tmp/reload2.out")"
grep -q "configuration kept" "$tmp/daemon.log" || fail "the refused reload was not logged"
sleep 1
"$sipline" status --json --control "$control" >"$tmp/status2.json" 2>/dev/null
json_check "$tmp/status2.json" \
  "j['accounts'][0]['state'] == 'registered' and 'udp 127.0.0.1:$second_port' in j['listen']" ||
  fail "status after the refused reload: $(cat "$tmp/status2.json")"
(($(grep -c '"type":"registered"' "$tmp/events.jsonl") == registered_before)) ||
  fail "the refused reload re-registered the account"

kill -TERM "$daemon"
for ((i = 0; i < 150; i++)); do kill -0 "$daemon" 2>/dev/null || break; sleep 0.1; done
wait "$daemon"
status=$?
((status == 0)) || fail "SIGTERM: exit status $status, want 0"

if ((failures > 0)); then
  echo "$failures failure(s)"
  echo "--- daemon log ---"
  cat "$tmp/daemon.log"
  exit 1
fi
echo "all reload tests passed"
