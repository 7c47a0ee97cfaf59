#!/usr/bin/env python3
"""enforcebench.py - drive one `vmgroup enforce --follow` and time how soon
each `vmgroup block` / `unblock` of one group reaches the nftables sets
(the enforcer prints a line after each apply; this reads it as it comes).

Prints one line per figure: the block's latency from the write's start to
the sets (p50, p99), the write alone (the floor, measured in the same
loop), their ratio, and the latency after the write returned against the
1 s target.  Called by bench/enforcebench.sh inside the test servers."""
import argparse
import queue
import subprocess
import sys
import threading
import time


def reader(stream, q, tag):
    for line in stream:
        q.put((time.monotonic(), tag, line.rstrip("\n")))


def pct(xs, p):
    xs = sorted(xs)
    return xs[min(len(xs) - 1, int(round(p / 100.0 * (len(xs) - 1))))]


def wait_line(q, what, timeout, log):
    end = time.monotonic() + timeout
    while True:
        left = end - time.monotonic()
        if left <= 0:
            return None
        try:
            t, tag, line = q.get(timeout=left)
        except queue.Empty:
            return None
        log.append(tag + ": " + line)
        if what in line:
            return t, line


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vmgroup", required=True)
    ap.add_argument("--conf", required=True)
    ap.add_argument("--netns", required=True)
    ap.add_argument("--group", required=True)
    ap.add_argument("--blocks", type=int, default=100)
    ap.add_argument("--label", required=True)
    ap.add_argument("--wrap", default="", help="prefix, e.g. 'ip netns exec NS'")
    a = ap.parse_args()
    wrap = a.wrap.split()
    enf = subprocess.Popen(wrap + [a.vmgroup, "enforce", "-f", a.conf, "--follow",
                                   "--install-rules", "--netns", a.netns,
                                   "--interval", "600"],
                           stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           text=True, bufsize=1)
    q = queue.Queue()
    log = []
    for s, tag in ((enf.stdout, "out"), (enf.stderr, "err")):
        threading.Thread(target=reader, args=(s, q, tag), daemon=True).start()
    rc = 1
    try:
        got = wait_line(q, "following", 60, log)
        if got is None or "polling" in got[1]:
            print("enforcebench: the enforcer does not follow by notification",
                  file=sys.stderr)
            return 1
        mode = got[1].split(" by ", 1)[1]
        if wait_line(q, "blocked group(s)", 60, log) is None:
            print("enforcebench: no first apply", file=sys.stderr)
            return 1
        total, write, after = [], [], []
        for i in range(a.blocks):
            for cmd in ("block", "unblock"):
                t0 = time.monotonic()
                subprocess.run(wrap + [a.vmgroup, cmd, "-f", a.conf, a.group],
                               check=True, stdout=subprocess.DEVNULL)
                t1 = time.monotonic()
                # the apply of this very change: 1 group blocked, or 0
                got = wait_line(q, "%d blocked group(s)" %
                                (1 if cmd == "block" else 0), 30, log)
                if got is None:
                    print("enforcebench: %s %d never reached the sets" % (cmd, i),
                          file=sys.stderr)
                    return 1
                if cmd == "block":
                    total.append((got[0] - t0) * 1000)
                    write.append((t1 - t0) * 1000)
                    after.append(max(0.0, got[0] - t1) * 1000)
        p50, p99, w50 = pct(total, 50), pct(total, 99), pct(write, 50)
        a50, a99 = pct(after, 50), pct(after, 99)
        print("enforce_block[%s, %s]: write->sets p50 %.1f ms p99 %.1f ms over %d "
              "blocks; the write alone (floor) p50 %.1f ms; ratio %.2f" %
              (a.label, mode, p50, p99, len(total), w50, p50 / w50))
        print("enforce_block_after_write[%s]: p50 %.1f ms p99 %.1f ms target "
              "p99 <= 1000 ms: %s" % (a.label, a50, a99,
                                       "MET" if a99 <= 1000 else "MISSED"))
        rc = 0
    finally:
        enf.terminate()
        enf.wait(10)
        if rc != 0:
            print("\n".join(log[-20:]), file=sys.stderr)
    return rc


if __name__ == "__main__":
    sys.exit(main())
