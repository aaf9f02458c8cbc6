#!/usr/bin/env bash
# Tests `sipline simulate`: exact event sequences (type, server, virtual time)
# for a refused primary, a blackholed primary (failover after the real
# retransmission budget), 503 with Retry-After and a restored primary with
# failback, on the shipped TOML and Yealink examples; determinism and the
# seed; the JSON schema; every kind of error with its exit status.
# Usage: simulate_test.sh SIPLINE_BINARY EXAMPLES_DIR
set -uo pipefail

sipline=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"

expect_eq() {  # expect_eq GOT WANT WHAT
  [[ $1 == "$2" ]] || fail "$3:"$'\n'"--- got:"$'\n'"$1"$'\n'"--- want:"$'\n'"$2"
}

# "OFFSET TYPE SERVER" per JSON event: the virtual time is the distance from
# the fixed epoch 2024-01-01T00:00:00Z.
sequence() {
  python3 -c '
import datetime, json, sys
epoch = datetime.datetime(2024, 1, 1, tzinfo=datetime.timezone.utc)
for line in sys.stdin:
    e = json.loads(line)
    t = datetime.datetime.fromisoformat(e["time"].replace("Z", "+00:00"))
    print("%.3f %s %s" % ((t - epoch).total_seconds(), e["type"], e["server"] or "-"))
'
}

cp "$examples/config/two-servers.toml" "$tmp/two.toml"
cp "$examples/config/yealink.cfg" "$tmp/phone.cfg"
chmod 600 "$tmp/two.toml" "$tmp/phone.cfg"
p1='sip:pbx1.example.com:5060;transport=udp'
p2='sip:pbx2.example.com:5060;transport=udp'

# --- a refused primary: noticed by the next OPTIONS keep-alive (every 30 s,
# jittered to 80-100 %: with the default seed the first comes at 25.570 s) ---
printf '10s primary refuse\n2m end\n' >"$tmp/refuse.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/refuse.txt" --events json
expect_status 0 "refused primary"
[[ -z $err ]] || fail "refused primary: unexpected stderr: $err"
expect_eq "$(sequence <<<"$out")" "0.000 registering $p1
0.000 registered $p1
10.000 fault $p1
25.570 failover $p2
25.570 registering $p2
25.570 registered $p2" "refused primary: event sequence"
expect_line "$out" '"failure":"keep-alive lost".*"type":"failover"' \
  "refused primary: failover says how it was noticed"

# --- a primary refusing from the start: failover at once ---
printf '0s primary refuse\n1m end\n' >"$tmp/refuse0.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/refuse0.txt" --events json
expect_status 0 "refused from the start"
expect_eq "$(sequence <<<"$out" | head -4)" "0.000 fault $p1
0.000 registering $p1
0.000 failover $p2
0.000 registering $p2" "refused from the start: immediate failover"

# --- a blackholed primary: failover after the real budget, 0.5 + 1 + 2 s ---
printf '0s primary blackhole\n1m end\n' >"$tmp/blackhole.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/blackhole.txt" --events json
expect_status 0 "blackholed primary"
expect_eq "$(sequence <<<"$out" | head -5)" "0.000 fault $p1
0.000 registering $p1
3.500 failover $p2
3.500 registering $p2
3.500 registered $p2" "blackholed primary: failover at 3.5 s (retry_counts 3, T1 500 ms)"
expect_line "$out" '"failure":"timeout"' "blackholed primary: a timeout"

# --- 503 with Retry-After ---
printf '0s primary 503 retry-after 60\n1m end\n' >"$tmp/503.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/503.txt" --events json
expect_status 0 "503"
expect_eq "$(sequence <<<"$out" | head -5)" "0.000 fault $p1
0.000 registering $p1
0.000 failover $p2
0.000 registering $p2
0.000 registered $p2" "503: failover at once"
expect_line "$out" '"status_code":503' "503: the status code"
expect_line "$out" 'Retry-After 60' "503: the Retry-After in the reason"

# --- restore and failback (monitor mode: probes every 30 s from the failover
# at 25.570 s; the first after the restore at 60 s answers at 85.570 s, the
# second at 115.570 s rolls back) ---
printf '10s primary refuse\n1m primary restore\n3m end\n' >"$tmp/restore.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/restore.txt" --events json
expect_status 0 "restore"
expect_eq "$(sequence <<<"$out")" "0.000 registering $p1
0.000 registered $p1
10.000 fault $p1
25.570 failover $p2
25.570 registering $p2
25.570 registered $p2
60.000 fault $p1
115.570 registering $p1
115.570 failback $p1
115.570 registered $p1
115.570 unregistered $p2" "restore: failback to the primary"

# --- the Yealink example: outbound proxies, surge prevention, duration failback ---
s1='sip:sbc1.example.com:5060'
s2='sip:sbc2.example.com:5060'
printf '5s sbc1.example.com blackhole\n3m end\n' >"$tmp/yealink.txt"
run simulate -c "$tmp/phone.cfg" --faults "$tmp/yealink.txt" --events json
expect_status 0 "yealink"
expect_eq "$(sequence <<<"$out" | awk '{print $2, $3}')" "registering $s1
registered $s1
fault $s1
failover $s2
registering $s1" "yealink: sequence"
times=($(sequence <<<"$out" | awk '{print $1}'))
python3 -c "import sys; a=float(sys.argv[1]); b=float(sys.argv[2]); sys.exit(0 if abs(b - a - 29.071) < 1e-9 else 1)" \
  "${times[1]}" "${times[3]}" ||
  fail "yealink: failover ${times[3]} s must come 25.571 s (the OPTIONS keep-alive, 80-100 % of 30 s with the default seed) + 3.5 s (budget) after registering at ${times[1]} s"
python3 -c "import sys; a=float(sys.argv[1]); b=float(sys.argv[2]); sys.exit(0 if abs(b - a - 120) < 1e-9 else 1)" \
  "${times[3]}" "${times[4]}" ||
  fail "yealink: the failback attempt ${times[4]} s must come failback_timeout 120 s after the failover ${times[3]} s"

# --- calls: where the INVITE goes ---
printf '10s primary refuse\n1m call 90s office\n2m primary restore\n4m end\n' >"$tmp/call.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/call.txt"
expect_status 0 "call"
expect_line "$out" "^\+01:00\.000  office  call_started +sip:pbx2\.example\.com:5060;transport=udp  INVITE via 198\.51\.100\.2:5060/udp$" \
  "call: started on the backup"
expect_line "$out" "^\+02:30\.000  office  call_ended +sip:pbx2" "call: ends after 90 s"
# Monitor failback is make-before-break and does not wait for the call: the
# second good probe after the restore at 2:00 (probes at 25.570 s + 30 s k).
expect_line "$out" "^\+02:55\.570  office  failback +sip:pbx1" "call: monitor failback two probes after the restore"

# --- text output: aligned columns ---
run simulate -c "$tmp/two.toml" --faults "$tmp/restore.txt"
expect_status 0 "text"
expect_line "$out" '^\+00:25\.570  office  failover             sip:pbx2\.example\.com:5060;transport=udp  from sip:pbx1\.example\.com:5060;transport=udp  \[keep-alive lost\] keep-alive: ' \
  "text: the failover line"
expect_line "$out" '^\+00:10\.000  -       fault                sip:pbx1\.example\.com:5060;transport=udp  refuse$' \
  "text: the fault line"

# --- the shipped example script ---
run simulate -c "$tmp/two.toml" --faults "$examples/faults/primary-outage.txt"
expect_status 0 "example script"
expect_line "$out" 'call_started' "example script: the call"

# --- deterministic; the seed drives the jitter ---
run simulate -c "$tmp/phone.cfg" --faults "$tmp/yealink.txt" --events json
first=$out
run simulate -c "$tmp/phone.cfg" --faults "$tmp/yealink.txt" --events json
expect_eq "$out" "$first" "the same run twice gives the same timeline"
run simulate -c "$tmp/phone.cfg" --faults "$tmp/yealink.txt" --events json --seed 2
[[ $out != "$first" ]] || fail "--seed 2 must change the jittered times"

# --- JSON: the schema of `sipline run`'s events, virtual times from 2024-01-01 ---
run simulate -c "$tmp/two.toml" --faults "$tmp/refuse.txt" --events json
python3 -c '
import json, sys
# At least the keys of the contract, and every line the same keys.
keys = None
lines = sys.stdin.read().splitlines()
first = json.loads(lines[0])
assert first["time"] == "2024-01-01T00:00:00.000Z", first["time"]
for line in lines:
    e = json.loads(line)
    keys = keys or set(e)
    assert {"time", "account", "type", "server", "reason"} <= set(e), sorted(e)
    assert set(e) == keys, sorted(e)
' <<<"$out" || fail "json: schema"

# --- the default end: last step + the longest interval, capped at 1 h. The
# Yealink example's longest is its outbound proxy fallback interval (3600 s);
# failback attempts to the blackholed proxy come every 120 + 3.5 s, so the
# last one falls within 123.5 s before 5 s + 1 h.
printf '5s sbc1.example.com blackhole\n' >"$tmp/noend.txt"
run simulate -c "$tmp/phone.cfg" --faults "$tmp/noend.txt" --events json
expect_status 0 "no end"
last=$(sequence <<<"$out" | tail -1 | awk '{print $1}')
python3 -c "import sys; sys.exit(0 if 3605 - 123.5 < float(sys.argv[1]) <= 3605 else 1)" "$last" ||
  fail "no end: the last event at $last s must fall in the last failback period before 3605 s"

# --- errors ---
printf '10s primary refuse\n20s primary explode\n' >"$tmp/bad.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/bad.txt"
expect_status 2 "bad action"
expect_eq "$err" "$tmp/bad.txt:2: unknown action 'explode' (expected refuse, blackhole, 503, reject CODE, restore)" \
  "bad action: message"
[[ -z $out ]] || fail "bad action: nothing on stdout"

printf '10s server 7 refuse\n' >"$tmp/bad.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/bad.txt"
expect_status 2 "server out of range"
expect_eq "$err" "$tmp/bad.txt:1: server 7: the configuration has 2 servers" "server out of range: message"

printf '10s pbx9.example.com refuse\n' >"$tmp/bad.txt"
run simulate -c "$tmp/two.toml" --faults "$tmp/bad.txt"
expect_status 2 "unknown host"
expect_line "$err" "bad.txt:1: no server 'pbx9.example.com' in the configuration \(servers: pbx1.example.com:5060, pbx2.example.com:5060\)" \
  "unknown host: message"

run simulate -c "$tmp/two.toml" --faults "$tmp/missing.txt"
expect_status 2 "missing script"
expect_eq "$err" "$tmp/missing.txt: cannot read the file" "missing script: message"

# A configuration error is reported exactly as `sipline run` reports it.
printf '[[account]]\nname = "a"\nusername = "a"\nregistration_timeout = "soon"\n' >"$tmp/bad.toml"
chmod 600 "$tmp/bad.toml"
run simulate -c "$tmp/bad.toml" --faults "$tmp/refuse.txt"
expect_status 2 "bad config"
simulate_err=$err
run run -c "$tmp/bad.toml" --control "$tmp/ctl.sock"
expect_status 2 "bad config under run"
expect_eq "$simulate_err" "$err" "bad config: the same message as sipline run"
[[ -n $err ]] || fail "bad config: no message"

run simulate -c "$tmp/two.toml" --faults "$tmp/refuse.txt" --events xml
expect_status 2 "--events xml"
run simulate -c "$tmp/two.toml"
expect_status 2 "--faults missing"

# --- help ---
run simulate --help
expect_status 0 "--help"
expect_line "$out" 'fault script' "--help describes the script"
expect_line "$out" '--seed' "--help lists --seed"

if ((failures > 0)); then
  echo "$failures failure(s)"
  exit 1
fi
echo "simulate: all checks passed"
