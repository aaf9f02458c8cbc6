#!/usr/bin/env bash
# Tests `sipline config check` and `sipline config convert`: output, exit
# statuses, error format, the permission warning and password redaction.
# Usage: config_test.sh SIPLINE_BINARY EXAMPLES_CONFIG_DIR
set -uo pipefail

sipline=$1
examples=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"

expect_no() {  # expect_no TEXT FIXED-STRING WHAT
  ! grep -Fq -- "$2" <<<"$1" || fail "$3: '$2' must not appear"
}

valid_toml() {  # valid_toml FILE: Python's own TOML parser accepts it
  python3 -c 'import sys, tomllib; tomllib.load(open(sys.argv[1], "rb"))' "$1"
}

# --- check: the shipped examples -----------------------------------------------

cp "$examples/two-servers.toml" "$tmp/two.toml"
chmod 600 "$tmp/two.toml"
run config check "$tmp/two.toml"
expect_status 0 "check two-servers.toml"
expect_line "$out" '^\[\[account\]\]$' "check prints the accounts"
expect_line "$out" '^timer_t1_ms = 500$' "check prints defaults"
expect_line "$out" '^password = "\*\*\*"' "password shown as ***"
expect_no "$out$err" "change-me" "check never prints the password"
[[ -z $err ]] || fail "private valid file: unexpected stderr: $err"
printf '%s\n' "$out" >"$tmp/effective.toml"
valid_toml "$tmp/effective.toml" || fail "check output is not valid TOML"

# The effective configuration is itself a configuration that checks.
run config check "$tmp/effective.toml"
expect_status 0 "check of check's output"

cp "$examples/yealink.cfg" "$tmp/phone.cfg"
chmod 600 "$tmp/phone.cfg"
run config check "$tmp/phone.cfg"
expect_status 0 "check yealink.cfg"
expect_line "$out" 'inherited from server 1' "check resolves -1 inheritance"
expect_line "$err" "^warning: $tmp/phone.cfg:[0-9]+: phone_setting.backlight_time: ignored \(.+\)\$" \
  "ignored keys are listed with their line"

# --- check: errors --------------------------------------------------------------

printf '[[account]]\nusername = "1"\n[[account.server]]\naddress = "pbx"\nretry_counts = 25\n' \
  >"$tmp/range.toml"
run config check "$tmp/range.toml"
expect_status 2 "out-of-range value"
[[ $err == "$tmp/range.toml:5: account[1].server[1].retry_counts: value 25 is outside 0-20" ]] ||
  fail "out-of-range value: unexpected error: $err"
[[ -z $out ]] || fail "nothing is printed for an invalid file: $out"

printf '[sip]\nlisten_prot = 5060\n' >"$tmp/typo.toml"
run config check "$tmp/typo.toml"
expect_status 2 "unknown key"
expect_line "$err" "^$tmp/typo.toml:2: sip.listen_prot: unknown key \(did you mean \"listen_port\"\?\)\$" \
  "unknown key with a suggestion"

printf 'account.1.enable = 1\r\naccount.1.user_name = 1\r\naccount.1.sip_server.1.address = pbx\r\n'\
'account.1.sip_server.1.failback_mode = 9\r\n' >"$tmp/bad.cfg"
run config check "$tmp/bad.cfg"
expect_status 2 "invalid .cfg"
[[ $err == "$tmp/bad.cfg:4: account.1.sip_server.1.failback_mode: value 9 is outside 0-3" ]] ||
  fail "invalid .cfg: unexpected error: $err"

printf '[sip\n' >"$tmp/syntax.toml"
run config check "$tmp/syntax.toml"
expect_status 2 "TOML syntax error"
expect_line "$err" "^$tmp/syntax.toml:1: syntax: .+" "syntax error names file and line"

run config check "$tmp/missing.toml"
expect_status 2 "missing file"
expect_line "$err" "^$tmp/missing.toml: .+" "missing file"

run config check "$tmp"
expect_status 2 "directory"

head -c $((3 << 20)) /dev/zero >"$tmp/huge.toml"
run config check "$tmp/huge.toml"
expect_status 2 "oversized file"

# --- the permission warning -----------------------------------------------------

chmod 644 "$tmp/two.toml"
run config check "$tmp/two.toml"
expect_status 0 "readable by others is still valid"
expect_line "$err" "^warning: $tmp/two.toml: holds passwords but is readable by group or others" \
  "warning for a world-readable file with passwords"

# --- convert --------------------------------------------------------------------

run config convert "$tmp/phone.cfg"
expect_status 0 "convert yealink.cfg"
expect_line "$out" '^dialect = "yealink"$' "convert keeps the Yealink defaults"
expect_line "$out" '^address = "sbc2.example.com"$' "convert writes the proxies"
expect_no "$out$err" "change-me" "convert never prints the password"
expect_line "$err" "^warning: $tmp/phone.cfg:[0-9]+: account.1.codec.pcmu.enable: ignored" \
  "convert lists ignored keys"
printf '%s\n' "$out" >"$tmp/converted.toml"
valid_toml "$tmp/converted.toml" || fail "convert output is not valid TOML"
run config check "$tmp/converted.toml"
expect_status 0 "converted file checks"
expect_line "$err" 'is the placeholder' "the *** placeholder is pointed out"

run config convert "$tmp/two.toml"
expect_status 2 "convert needs a .cfg"
run config convert "$tmp/bad.cfg"
expect_status 2 "convert of an invalid .cfg"

# --- usage ----------------------------------------------------------------------

for args in "config --help" "config check --help" "config convert --help"; do
  # shellcheck disable=SC2086
  run $args
  expect_status 0 "sipline $args"
  [[ -n $out ]] || fail "sipline $args printed nothing"
done
for args in "config" "config check" "config convert" "config check a b" "config frob"; do
  # shellcheck disable=SC2086
  run $args
  expect_status 2 "sipline $args (usage error)"
done

if ((failures > 0)); then
  echo "$failures check(s) failed"
  exit 1
fi
echo "all config tests passed"
