#!/usr/bin/python3
"""dirbench.py - the fast parts of bench/dirbench.sh (no third-party modules).

  gen SPOOL N [FIRST] [PREFIX]
        write N registrations into SPOOL/new, exactly as `vmgroup register`
        writes them (tmp/ then rename; names <20-digit ns>-<pid>-<8 hex>.json,
        mode 0640): host hv1, VMs PREFIX<i>, 4 images img0..img3, one IPv6
        address each in 2001:db8::/32 (so every VM gets a PTR)
  spoollat SPOOL N FIRST
        drop N registrations one at a time into SPOOL/new; each time measure
        drop -> file removed by the daemon (1 ms poll); print the times (s)
  dnslat SERVER ZONE N FIRST (spool SPOOL | ldap URI SERIAL)
        N events, each: a new VM (spool) or its PTR node written with ldapadd
        (ldap); poll SERVER's DNS over UDP every 1 ms until the PTR of the
        VM's address answers; print the times (s)
  stats FILE...   median, p99 of the times in the files (one a line)
  run OUT CMD...
        run CMD (its output where ours goes); OUT gets "elapsed user sys
        maxrss_kib rc", times in seconds to the microsecond (time(1)'s
        have 10 ms steps), elapsed from fork to wait
"""
import ipaddress
import os
import resource
import random
import socket
import struct
import subprocess
import sys
import time

BASE6 = ipaddress.IPv6Address("2001:db8::1:0")


def addr(i):
    return str(BASE6 + i)


def doc(i, prefix):
    return ('{"version":1,"op":"register","host":"hv1","vm":"%s%d",'
            '"image":"img%d","addresses":["%s"],"source":"dhcp","time":%d}\n'
            % (prefix, i, i % 4, addr(i), int(time.time())))


def drop(spool, i, prefix):
    """Write registration i atomically; return its name in new/."""
    name = "%020d-%d-%08x.json" % (time.time_ns(), os.getpid(),
                                   random.getrandbits(32))
    tmp = os.path.join(spool, "tmp", name)
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o640)
    os.write(fd, doc(i, prefix).encode())
    os.close(fd)
    os.rename(tmp, os.path.join(spool, "new", name))
    return name


def gen(spool, n, first=1, prefix="vm"):
    for d in ("tmp", "new", "quarantine"):
        os.makedirs(os.path.join(spool, d), mode=0o750, exist_ok=True)
    for i in range(first, first + n):
        drop(spool, i, prefix)


def wait(pred, limit=None):
    """Poll PRED every 1 ms; DIRBENCH_WAIT seconds at most (default 60)."""
    if limit is None:
        limit = float(os.environ.get("DIRBENCH_WAIT", "60"))
    end = time.monotonic() + limit
    while not pred():
        if time.monotonic() > end:
            raise SystemExit("dirbench.py: timed out after %.0f s" % limit)
        time.sleep(0.001)


def spoollat(spool, n, first):
    for i in range(first, first + n):
        t0 = time.monotonic()
        path = os.path.join(spool, "new", drop(spool, i, "lat"))
        wait(lambda: not os.path.exists(path))
        print("%.6f" % (time.monotonic() - t0), flush=True)
        time.sleep(0.02)


def ptr_name(a):
    return ipaddress.IPv6Address(a).reverse_pointer


def query(name, qtype=12):
    qid = random.getrandbits(16)
    q = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 0)  # no recursion
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    return qid, q + b"\0" + struct.pack(">HH", qtype, 1)


def answers(sock, server, name):
    """True if SERVER answers NAME PTR with at least one record."""
    qid, q = query(name)
    sock.sendto(q, (server, 53))
    end = time.monotonic() + 0.2
    while time.monotonic() < end:  # skip late answers to earlier queries
        try:
            data = sock.recv(4096)
        except socket.timeout:
            return False
        rid, flags, _, an = struct.unpack(">HHHH", data[:8])
        if rid == qid:
            return flags & 15 == 0 and an > 0
    return False


def count_name(name):
    """MS-DNSP DNS_COUNT_NAME."""
    labels = name.rstrip(".").split(".")
    raw = b"".join(bytes([len(l)]) + l.encode() for l in labels)
    return bytes([len(raw) + 1, len(labels)]) + raw + b"\0"


def ptr_record(target, serial, ttl=300):
    data = count_name(target)
    head = struct.pack("<HHBBHI", len(data), 12, 5, 240, 0, serial)
    return head + struct.pack(">I", ttl) + struct.pack("<II", 0, 0) + data


def ldif_ptr(zone, a, target, serial):
    import base64
    rev = ptr_name(a)
    rzone = "8.b.d.0.1.0.0.2.ip6.arpa"
    node = rev[:-(len(rzone) + 1)]
    rec = base64.b64encode(ptr_record(target, serial)).decode()
    zdn = "DC=%s,CN=MicrosoftDNS,DC=DomainDnsZones,%s" % (rzone, zone)
    return ("dn: DC=%s,%s\nobjectClass: top\nobjectClass: dnsNode\n"
            "dnsRecord:: %s\n\n" % (node, zdn, rec))


def dnslat(server, zone, n, first, mode, target, serial):
    """zone: the forward zone; mode spool (target = SPOOL) or ldap (URI)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.settimeout(0.05)
    base = os.environ.get("VMG_BENCH_BASE_DN", "")
    for i in range(first, first + n):
        a = addr(i)
        t0 = time.monotonic()
        if mode == "spool":
            drop(target, i, "lat")
            proc = None
        else:
            proc = subprocess.Popen(
                ["ldapadd", "-Q", "-N", "-Y", "GSSAPI", "-H", target],
                stdin=subprocess.PIPE, stdout=subprocess.DEVNULL)
            proc.stdin.write(ldif_ptr(base, a, "lat%d.%s." % (i, zone),
                                      int(serial)).encode())
            proc.stdin.close()
        wait(lambda: answers(sock, server, ptr_name(a)))
        print("%.6f" % (time.monotonic() - t0), flush=True)
        if proc is not None and proc.wait() != 0:
            raise SystemExit("dirbench.py: ldapadd failed")
        time.sleep(0.02)


def pct(v, p):
    v = sorted(v)
    return v[min(len(v) - 1, int(round(p / 100.0 * (len(v) - 1))))]


def stats(files):
    v = [float(l) for f in files for l in open(f) if l.strip()]
    print("%.6f %.6f %d" % (pct(v, 50), pct(v, 99), len(v)))


def run(out, cmd):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    rc = subprocess.call(cmd)
    t1 = time.perf_counter()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    with open(out, "w") as f:
        f.write("%.6f %.6f %.6f %d %d\n" % (
            t1 - t0, after.ru_utime - before.ru_utime,
            after.ru_stime - before.ru_stime, after.ru_maxrss,
            rc if rc >= 0 else 128 - rc))
    return rc


def main(a):
    if a[0] == "run":
        run(a[1], a[2:])
    elif a[0] == "gen":
        gen(a[1], int(a[2]), int(a[3]) if len(a) > 3 else 1,
            a[4] if len(a) > 4 else "vm")
    elif a[0] == "spoollat":
        spoollat(a[1], int(a[2]), int(a[3]))
    elif a[0] == "dnslat":
        dnslat(a[1], a[2], int(a[3]), int(a[4]), a[5], a[6],
               a[7] if len(a) > 7 else "0")
    elif a[0] == "stats":
        stats(a[1:])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
