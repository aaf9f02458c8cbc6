#!/usr/bin/env python3
"""Reads the `sipline run --events json` stream (one JSON object per line).

  events.py show                         pretty-print stdin as it arrives
  events.py wait FILE FROM TYPE HOSTPORT SECONDS
        wait for the first event at line >= FROM (0-based) of TYPE whose
        server contains HOSTPORT; print "LINE EPOCH_SECONDS"; exit 1 on timeout
  events.py count FILE                   number of events so far
"""
import datetime
import json
import sys
import time


def epoch(event):
    """The event's own RFC 3339 time as epoch seconds (None if unreadable)."""
    text = event.get("time")
    if not isinstance(text, str):
        return None
    try:
        return datetime.datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def read_events(path):
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            lines = f.read().split("\n")
    except FileNotFoundError:
        return []
    out = []
    for line in lines[:-1]:  # the last piece is an unfinished line or empty
        try:
            value = json.loads(line)
        except ValueError:
            value = None
        out.append(value if isinstance(value, dict) else {})
    return out


def show():
    colours = {"registered": "32", "failover": "33;1", "failback": "36;1",
               "registration_failed": "31;1", "alarm": "31;1", "unregistered": "35"}
    tty = sys.stdout.isatty()
    for line in sys.stdin:
        try:
            e = json.loads(line)
        except ValueError:
            print("  " + line.rstrip(), flush=True)
            continue
        kind = str(e.get("type", "?"))
        stamp = str(e.get("time", ""))[11:23]
        label = f"{kind:<20}"
        if tty and kind in colours:
            label = f"\033[{colours[kind]}m{label}\033[0m"
        server = e.get("server") or "-"
        reason = e.get("reason")
        text = f"  {stamp}  {e.get('account', '?')}  {label} {server}"
        if reason:
            text += f"  ({reason})"
        print(text, flush=True)


def wait(path, first, kind, hostport, seconds):
    deadline = time.monotonic() + seconds
    while True:
        events = read_events(path)
        for index in range(first, len(events)):
            e = events[index]
            if e.get("type") == kind and hostport in str(e.get("server") or ""):
                print(index, epoch(e) or time.time())
                return 0
        if time.monotonic() >= deadline:
            return 1
        time.sleep(0.05)


def main(argv):
    if len(argv) >= 2 and argv[1] == "show":
        show()
        return 0
    if len(argv) == 7 and argv[1] == "wait":
        return wait(argv[2], int(argv[3]), argv[4], argv[5], float(argv[6]))
    if len(argv) == 3 and argv[1] == "count":
        print(len(read_events(argv[2])))
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
