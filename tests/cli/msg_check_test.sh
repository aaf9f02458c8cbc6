#!/usr/bin/env bash
# Tests `sipline msg check`: verdicts, exit statuses and hostile files.
# Usage: msg_check_test.sh SIPLINE_BINARY EXAMPLES_DIR
set -uo pipefail

sipline=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"

crlf() {  # crlf FILE LINE...: writes the lines joined with CRLF, plus a final CRLF
  local file=$1
  shift
  printf '%s\r\n' "$@" >"$file"
}

crlf "$tmp/register.sip" \
  "REGISTER sip:example.com SIP/2.0" \
  "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds" \
  "Max-Forwards: 70" \
  "From: <sip:alice@example.com>;tag=1928301774" \
  "To: <sip:alice@example.com>" \
  "Call-ID: a84b4c76e66710@192.0.2.10" \
  "CSeq: 1 REGISTER" \
  "Contact: <sip:alice@192.0.2.10:5060>" \
  "Expires: 3600" \
  "Content-Length: 0" \
  ""

crlf "$tmp/ok.sip" \
  "SIP/2.0 200 OK" \
  "Via: SIP/2.0/UDP 192.0.2.10:5060;branch=z9hG4bK776asdhds;received=192.0.2.10" \
  "From: <sip:alice@example.com>;tag=1928301774" \
  "To: <sip:alice@example.com>;tag=37GkEhwl6" \
  "Call-ID: a84b4c76e66710@192.0.2.10" \
  "CSeq: 1 REGISTER" \
  "Contact: <sip:alice@192.0.2.10:5060>;expires=3600" \
  "Content-Length: 0" \
  ""

# An extension method is still a request.
sed 's/^REGISTER sip:/FROBNICATE sip:/; s/CSeq: 1 REGISTER/CSeq: 1 FROBNICATE/' \
  "$tmp/register.sip" >"$tmp/extension.sip"

# A request without its mandatory Call-ID (RFC 3261 §8.1.1).
grep -av '^Call-ID' "$tmp/register.sip" >"$tmp/no-call-id.sip"

# Content-Length larger than the bytes present (RFC 3261 §18.3).
sed 's/^Content-Length: 0/Content-Length: 500/' "$tmp/register.sip" >"$tmp/short-body.sip"

# --- verdicts and exit statuses -------------------------------------------------

run msg check "$tmp/register.sip" "$tmp/ok.sip"
expect_status 0 "two valid messages"
[[ $out == "$tmp/register.sip: ok request REGISTER"$'\n'"$tmp/ok.sip: ok response 200" ]] ||
  fail "two valid messages: unexpected output: $out"
[[ -z $err ]] || fail "two valid messages: unexpected stderr: $err"

run msg check "$tmp/extension.sip"
expect_status 0 "extension method"
expect_line "$out" "^$tmp/extension.sip: ok request FROBNICATE\$" "extension method"

run msg check "$tmp/register.sip" "$tmp/no-call-id.sip" "$tmp/ok.sip"
expect_status 1 "one invalid among valid ones"
expect_line "$out" "^$tmp/register.sip: ok request REGISTER\$" "invalid among valid"
expect_line "$out" "^$tmp/no-call-id.sip: invalid: .+" "missing Call-ID"
expect_line "$out" "^$tmp/ok.sip: ok response 200\$" "checking goes on after an invalid file"

run msg check "$tmp/short-body.sip"
expect_status 1 "Content-Length beyond the datagram"
expect_line "$out" "^$tmp/short-body.sip: invalid: .+" "Content-Length beyond the datagram"

# --- I/O errors -----------------------------------------------------------------

run msg check "$tmp/missing.sip" "$tmp/register.sip"
expect_status 2 "missing file"
expect_line "$err" "^$tmp/missing.sip: error: .+" "missing file"
expect_line "$out" "^$tmp/register.sip: ok request REGISTER\$" "checking goes on after a missing file"

run msg check "$tmp/no-call-id.sip" "$tmp/missing.sip"
expect_status 2 "a read error outranks an invalid message"

run msg check "$tmp"
expect_status 2 "directory"
expect_line "$err" "^$tmp: error: .+" "directory"

# --- hostile bytes --------------------------------------------------------------

: >"$tmp/empty.sip"
run msg check "$tmp/empty.sip"
expect_status 1 "empty file"
expect_line "$out" "^$tmp/empty.sip: invalid: .+" "empty file"

head -c 65536 /dev/zero >"$tmp/nuls.sip"
run msg check "$tmp/nuls.sip"
expect_status 1 "only NUL bytes"
expect_line "$out" "^$tmp/nuls.sip: invalid: .+" "only NUL bytes"

# NUL is data: a body with NULs, counted by Content-Length, is a valid message.
{
  grep -av '^Content-Length' "$tmp/register.sip" | head -n -1
  printf 'Content-Type: application/octet-stream\r\nContent-Length: 8\r\n\r\nab\0\0cd\0e'
} >"$tmp/nul-body.sip"
run msg check "$tmp/nul-body.sip"
expect_status 0 "NUL bytes in the body"
expect_line "$out" "^$tmp/nul-body.sip: ok request REGISTER\$" "NUL bytes in the body"

# A NUL inside a header name is never a valid token.
sed 's/^Max-Forwards:/Max-\x00Forwards:/' "$tmp/register.sip" >"$tmp/nul-name.sip"
run msg check "$tmp/nul-name.sip"
expect_status 1 "NUL in a header name"
expect_line "$out" "^$tmp/nul-name.sip: invalid: .+" "NUL in a header name"

# Whatever the parser decides about a NUL in a header value, it must decide.
sed 's/^Call-ID: a84b/Call-ID: a8\x004b/' "$tmp/register.sip" >"$tmp/nul-value.sip"
run msg check "$tmp/nul-value.sip"
((status == 0 || status == 1)) || fail "NUL in a header value: exit status $status"
expect_line "$out" "^$tmp/nul-value.sip: (ok request REGISTER|invalid: .+)\$" "NUL in a header value"

# 10 MB of garbage after a plausible start line: over every size limit.
{
  printf 'INVITE sip:bob@example.com SIP/2.0\r\n'
  head -c 10485760 /dev/zero | tr '\0' 'x'
} >"$tmp/garbage.sip"
run msg check "$tmp/garbage.sip"
expect_status 1 "10 MB of garbage"
expect_line "$out" "^$tmp/garbage.sip: invalid: .+" "10 MB of garbage"

# Every byte value, repeated, with CRLFs in between.
python3 -c 'import sys; sys.stdout.buffer.write((bytes(range(256)) + b"\r\n") * 64)' \
  >"$tmp/bytes.sip"
run msg check "$tmp/bytes.sip"
expect_status 1 "every byte value"
expect_line "$out" "^$tmp/bytes.sip: invalid: .+" "every byte value"

# A file larger than the read cap is reported without being read to the end.
head -c $((17 << 20)) /dev/zero >"$tmp/huge.sip"
run msg check "$tmp/huge.sip"
expect_status 1 "file over the read cap"
expect_line "$out" "^$tmp/huge.sip: invalid: .+" "file over the read cap"

# --- examples shipped for the demo ----------------------------------------------

for file in "$examples"/valid/*.sip; do
  run msg check "$file"
  expect_status 0 "example $file"
done
for file in "$examples"/invalid/*.sip; do
  run msg check "$file"
  expect_status 1 "example $file"
done

# --- usage ----------------------------------------------------------------------

for args in "--help" "msg --help" "msg check --help" "--version"; do
  # shellcheck disable=SC2086
  run $args
  expect_status 0 "sipline $args"
  [[ -n $out ]] || fail "sipline $args printed nothing"
done
run msg check --help
expect_line "$out" "FILE" "msg check --help names its argument"

for args in "" "msg" "msg check" "msg check --bogus $tmp/register.sip" "frobnicate"; do
  # shellcheck disable=SC2086
  run $args
  expect_status 2 "sipline $args (usage error)"
done

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all msg check tests passed"
