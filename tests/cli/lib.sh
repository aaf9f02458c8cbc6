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
