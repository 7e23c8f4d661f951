"""review_drive.py - drives `relabel review` under a pseudo-terminal with
RELABEL_BENCH_TRACE set, one key at a time (each sent once the previous
one's screen is out), and prints the figures:

    review_drive.py RELABEL PROJECT TRACE

Lines printed: "first-paint-internal MS", "first-paint-external MS" (from
fork to the trace line, as a user would wait), "first-rows N" (queue rows
on that first screen: from the stored ranking, or 0 while the project is
read), "loaded-internal MS" and "loaded-external MS" (the whole project
read and ranked, the full queue on screen), then per key kind "key KIND N
median-internal-MS median-external-MS", "maxrss KB".  Keys are sent once
the full queue is on screen."""
import os
import pty
import select
import statistics
import struct
import sys
import time
import fcntl
import termios

relabel, project, trace = sys.argv[1:4]
if os.path.exists(trace):
    os.remove(trace)
env = dict(os.environ, RELABEL_BENCH_TRACE=trace, TERM="xterm-256color",
           LC_ALL="C.UTF-8")
t0 = time.monotonic()
pid, fd = pty.fork()
if pid == 0:
    os.execve(relabel, [relabel, "review", project, "--reviewer", "bench",
                        "--preview", "ascii"], env)
fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))


def drain(timeout=0.0):
    r, _, _ = select.select([fd], [], [], timeout)
    if r:
        try:
            os.read(fd, 1 << 16)
        except OSError:
            pass


def lines():
    try:
        with open(trace) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def wait_for(pred, limit=120.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        got = pred(lines())
        if got:
            return got
        drain(0.0005)
    sys.exit("review_drive.py: timed out; trace: %s" % lines()[-3:])


first = wait_for(lambda ls: [l for l in ls if l.startswith("first-paint")])
external_first = (time.monotonic() - t0) * 1e3
print("first-paint-internal", first[0].split()[1])
print("first-paint-external %.1f" % external_first)
print("first-rows", first[0].split()[2] if len(first[0].split()) > 2 else 0)
loaded = wait_for(lambda ls: [l for l in ls if l.startswith("loaded")])
print("loaded-internal", loaded[0].split()[1])
print("loaded-external %.1f" % ((time.monotonic() - t0) * 1e3))

kinds = [("down (j)", b"j", 200), ("page down", b"\x1b[6~", 40),
         ("relabel (commit)", None, 40), ("undo (commit)", b"u", 20)]
for name, key, count in kinds:
    inner, outer = [], []
    for k in range(count):
        n = sum(1 for l in lines() if l.startswith("key "))
        sent = time.monotonic()
        os.write(fd, key if key else b"123"[k % 3:k % 3 + 1])
        got = wait_for(lambda ls: [l for l in ls if l.startswith("key ")]
                       [n:] or None)
        outer.append((time.monotonic() - sent) * 1e3)
        inner.append(float(got[0].split()[-1]))
    print("key %s %d %.3f %.3f" % (name.replace(" ", "_"), count,
                                   statistics.median(inner),
                                   statistics.median(outer)))
os.write(fd, b"q")
wait_for(lambda ls: [l for l in ls if l.startswith("maxrss")])
print([l for l in lines() if l.startswith("maxrss")][0])
os.waitpid(pid, 0)
