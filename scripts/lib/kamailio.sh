# shellcheck shell=bash
# Local Kamailio registrars with digest authentication, and the faults the
# demo injects into them. Source this file; every function takes the
# registrar's own directory, which holds its config state, pid, log, db_text
# tables and control socket.
#
#   kam_start DIR NAME ADDRESS PORT USER PASSWORD   start, wait until ready
#   kam_stop DIR                                    SIGKILL the whole group
#   kam_restart DIR                                 same address, port, users
#   kam_bindings DIR USER                           live bindings of USER
#   kam_free_port ADDRESS                           a port free for UDP and TCP
#   kam_blackhole ADDRESS PORT / kam_unblackhole    drop packets (nftables)
#   kam_cleanup                                     stop everything started here
#
# Kamailio forks workers: killing only the main process leaves them serving,
# so each registrar runs in its own process group and the group is killed.

KAM_LIB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
KAM_CFG="$KAM_LIB_DIR/../../tests/integration/kamailio/registrar.cfg"
KAM_STARTED=()                              # directories of registrars we started
KAM_NFT_TABLE="sipline_demo_$$"              # our own nftables table, nothing else
KAM_NFT_CREATED=0

kam_free_port() {  # ADDRESS
  python3 - "$1" <<'EOF'
import socket, sys
addr = sys.argv[1]
for _ in range(50):
    t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    t.bind((addr, 0))
    port = t.getsockname()[1]
    u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        u.bind((addr, port))
    except OSError:
        continue
    finally:
        t.close()
    u.close()
    print(port)
    sys.exit(0)
sys.exit(1)
EOF
}

_kam_launch() {  # DIR
  local dir=$1 name addr port
  name=$(<"$dir/name") addr=$(<"$dir/address") port=$(<"$dir/port")
  rm -f "$dir/ctl.sock" "$dir/kamailio.pid"
  # Not a group leader (no job control in scripts), so setsid execs in place:
  # $! is Kamailio's main pid and the id of its new process group.
  setsid kamailio -DD -E -f "$KAM_CFG" -Y "$dir/run" -P "$dir/kamailio.pid" -w "$dir" -m 32 \
    -l "udp:$addr:$port" -l "tcp:$addr:$port" \
    -A "DBURL=\"text://$dir/db\"" -A "CTLSOCK=\"unix:$dir/ctl.sock\"" \
    </dev/null >>"$dir/kamailio.log" 2>&1 &
  echo $! >"$dir/pgid"
  local i
  for ((i = 0; i < 200; i++)); do  # up to 10 s
    if ! kill -0 "$(<"$dir/pgid")" 2>/dev/null; then break; fi
    if kamcmd -s "unix:$dir/ctl.sock" core.version >/dev/null 2>&1 &&
      (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null; then
      return 0
    fi
    sleep 0.05
  done
  echo "kamailio ($name on $addr:$port) did not start; its log:" >&2
  tail -n 20 "$dir/kamailio.log" >&2
  return 1
}

kam_start() {  # DIR NAME ADDRESS PORT USER PASSWORD
  local dir=$1
  mkdir -p "$dir/db" "$dir/run"
  echo "$2" >"$dir/name"
  echo "$3" >"$dir/address"
  echo "$4" >"$dir/port"
  # db_text: plain-text password, hashed by auth_db (calculate_ha1).
  printf 'id(int,auto) username(string) domain(string) password(string)\n1:%s:sipline.test:%s\n' \
    "$5" "$6" >"$dir/db/subscriber"
  printf 'table_name(string) table_version(int)\nsubscriber:7\n' >"$dir/db/version"
  chmod 600 "$dir/db/subscriber"
  KAM_STARTED+=("$dir")
  _kam_launch "$dir"
}

kam_stop() {  # DIR
  local dir=$1 pgid
  [[ -f $dir/pgid ]] || return 0
  pgid=$(<"$dir/pgid")
  kill -KILL -- "-$pgid" 2>/dev/null || true
  wait "$pgid" 2>/dev/null || true
  rm -f "$dir/pgid"
  # Bounded wait until no live member is left (the dead workers are zombies
  # until init reaps them, which is not ours to wait for).
  local i
  for ((i = 0; i < 100; i++)); do
    _kam_group_alive "$pgid" || return 0
    sleep 0.02
  done
}

_kam_group_alive() {  # PGID: true while a member that is not a zombie exists
  local f stat state pgid
  for f in /proc/[0-9]*/stat; do
    read -r stat 2>/dev/null <"$f" || continue  # the process may be gone
    # Fields after the command name, which may hold spaces: state ppid pgid
    read -r state _ pgid _ <<<"${stat##*) }"
    [[ $pgid == "$1" && $state != Z ]] && return 0
  done
  return 1
}

kam_restart() {  # DIR
  kam_stop "$1"
  _kam_launch "$1"
}

kam_bindings() {  # DIR USER -> number of live bindings
  local dir=$1 user=$2
  if [[ ! -f $dir/pgid ]]; then
    echo 0
    return
  fi
  kamcmd -s "unix:$dir/ctl.sock" ul.dump 2>/dev/null | awk -v user="$user" '
    $1 == "AoR:" { aor = $2 }
    $1 == "Expires:" && aor == user && ($2 == "permanent" || $2 + 0 > 0) { n++ }
    END { print n + 0 }'
}

kam_blackhole() {  # ADDRESS PORT; returns 1 when nftables is not permitted
  if ((KAM_NFT_CREATED == 0)); then
    nft add table inet "$KAM_NFT_TABLE" 2>/dev/null || return 1
    KAM_NFT_CREATED=1
    nft add chain inet "$KAM_NFT_TABLE" input \
      '{ type filter hook input priority -10 ; policy accept ; }' || return 1
  fi
  nft add rule inet "$KAM_NFT_TABLE" input ip daddr "$1" udp dport "$2" drop &&
    nft add rule inet "$KAM_NFT_TABLE" input ip daddr "$1" tcp dport "$2" drop
}

kam_unblackhole() {
  ((KAM_NFT_CREATED == 0)) || nft flush chain inet "$KAM_NFT_TABLE" input
}

kam_cleanup() {
  local dir
  for dir in "${KAM_STARTED[@]}"; do kam_stop "$dir"; done
  if ((KAM_NFT_CREATED)); then
    nft delete table inet "$KAM_NFT_TABLE" 2>/dev/null || true
    KAM_NFT_CREATED=0
  fi
}
