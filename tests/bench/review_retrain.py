"""review_retrain.py - drives `relabel review` under a pseudo-terminal
with RELABEL_BENCH_TRACE set: moves through the queue (j, one key every
GAP ms, each sent once the previous one's screen is out) with no
retrain, then starts a retrain (R, y) and keeps moving until it is stored
and the queue re-ranked.

    review_retrain.py RELABEL PROJECT TRACE [GAP_MS] [IDLE_KEYS]

Lines printed: "keys-idle N MEDIAN P90" and "keys-training N MEDIAN P90"
(milliseconds from reading a key to the updated screen, inside the
process), "retrain STATE SECONDS" (the worker's wall time, from the
trace), "reload-ms MS" (from the run's end to the re-ranked queue on
screen), "maxrss KB"."""
import fcntl
import os
import pty
import select
import statistics
import struct
import sys
import termios
import time

relabel, project, trace = sys.argv[1:4]
gap = float(sys.argv[4]) / 1e3 if len(sys.argv) > 4 else 0.1
idle_keys = int(sys.argv[5]) if len(sys.argv) > 5 else 100
if os.path.exists(trace):
    os.remove(trace)
env = dict(os.environ, RELABEL_BENCH_TRACE=trace, TERM="xterm-256color",
           LC_ALL="C.UTF-8")
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


seen = {"pos": 0, "lines": [], "part": ""}


def lines():
    """The trace's lines so far, read incrementally: the driver must not
    take the CPU the screen and the training share."""
    try:
        with open(trace) as f:
            f.seek(seen["pos"])
            data = f.read()
            seen["pos"] = f.tell()
    except FileNotFoundError:
        return []
    text = seen["part"] + data
    parts = text.split("\n")
    seen["part"] = parts.pop()
    seen["lines"].extend(parts)
    return seen["lines"]


def wait_for(pred, limit=3600.0):
    end = time.monotonic() + limit
    while time.monotonic() < end:
        got = pred(lines())
        if got:
            return got
        drain(0.001)
    sys.exit("review_retrain.py: timed out; trace: %s" % lines()[-3:])


def starting(word):
    return lambda ls: [l for l in ls if l.startswith(word)]


def key(k):
    """Sends k and returns the in-process milliseconds of its handling."""
    n = sum(1 for l in lines() if l.startswith("key "))
    os.write(fd, k)
    got = wait_for(lambda ls: [l for l in ls if l.startswith("key ")][n:])
    return float(got[0].split()[-1])


def stats(name, ms):
    ms = sorted(ms)
    print("%s %d %.3f %.3f" % (name, len(ms), statistics.median(ms),
                               ms[int(0.9 * (len(ms) - 1))]))


def pace():
    end = time.monotonic() + gap
    while time.monotonic() < end:
        drain(0.005)


wait_for(starting("loaded"))
idle = []
for _ in range(idle_keys):
    idle.append(key(b"j"))
    pace()
stats("keys-idle", idle)

key(b"R")
key(b"y")
wait_for(starting("retrain-start"))
busy = []
while not starting("retrain-end")(lines()):
    busy.append(key(b"j"))
    pace()
stats("keys-training", busy)
end = starting("retrain-end")(lines())[0].split()
state = {"1": "stored", "2": "failed", "3": "cancelled"}.get(end[2], end[2])
print("retrain %s %s" % (state, end[3]))
if state == "stored":
    done = wait_for(starting("reloaded"))[0].split()
    print("reload-ms %.1f" % (float(done[1]) - float(end[1])))
os.write(fd, b"q")
print(wait_for(starting("maxrss"))[0])
os.waitpid(pid, 0)
