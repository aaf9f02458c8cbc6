#!/usr/bin/env bash
# `sipline msg check` on every RFC 4475 torture message: the verdict the
# MANIFEST records for it (valid: "ok request METHOD" / "ok response CODE";
# invalid: "invalid: <reason>"), exit status 0 or 1 and never a crash or a
# hang. Then all files in one run: exit 1 (some are invalid), one line each.
# Usage: msg_check_rfc4475_test.sh SIPLINE_BINARY RFC4475_DIR
set -uo pipefail

sipline=$1
dir=$2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
source "$(dirname "$0")/lib.sh"
checked=0

files=()
while read -r name verdict kind what _; do
  [[ -z $name || $name == \#* ]] && continue
  file=$dir/$name.dat
  files+=("$file")
  checked=$((checked + 1))
  timeout 10 "$sipline" msg check "$file" >"$tmp/out" 2>"$tmp/err"
  status=$?
  out=$(cat "$tmp/out")
  case $verdict in
    valid)
      want="$file: ok $kind $what"
      ((status == 0)) || fail "$name: exit status $status, want 0 (${out:0:200})"
      [[ $out == "$want" ]] || fail "$name: printed '${out:0:200}', want '$want'"
      ;;
    invalid)
      ((status == 1)) || fail "$name: exit status $status, want 1 (${out:0:200})"
      [[ $out == "$file: invalid: "?* ]] || fail "$name: printed '${out:0:200}', want '$file: invalid: <reason>'"
      ;;
    *)
      fail "$name: unknown verdict '$verdict' in the MANIFEST"
      ;;
  esac
done <"$dir/MANIFEST"

((checked == 49)) || fail "the MANIFEST lists $checked messages, RFC 4475 has 49"

timeout 60 "$sipline" msg check "${files[@]}" >"$tmp/out" 2>"$tmp/err"
status=$?
((status == 1)) || fail "all files at once: exit status $status, want 1"
lines=$(grep -c '' "$tmp/out")
((lines == checked)) || fail "all files at once: $lines lines, want $checked"

if ((failures > 0)); then
  echo "$failures failure(s) in $checked messages"
  exit 1
fi
echo "ok: $checked RFC 4475 messages give their MANIFEST verdict"
