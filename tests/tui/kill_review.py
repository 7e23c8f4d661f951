"""Kills the review screen with SIGKILL at random moments while a
scripted reviewer decides, and checks nothing shown as done is lost.

usage: kill_review.py RELABEL BASE.db WORKDIR TRIALS SEED

Each trial copies BASE.db, opens `relabel review` on a pseudo-terminal,
waits for its first paint, types decisions (relabel, confirm, skip: each
writes one log entry) at random intervals and kills it at a random
moment.  The screen's trace file (RELABEL_BENCH_TRACE) records every key
after the screen showed its result, so "shown" counts the decisions the
reviewer saw done.  Prints one "ok"/"not ok" line a trial: the project
passes integrity_check and shown <= logged <= typed.
"""
import fcntl
import os
import pty
import random
import shutil
import signal
import sqlite3
import struct
import sys
import termios
import time

DECISIONS = [b"1", b"2", b"a", b"s"]


def drain(fd):
    try:
        while os.read(fd, 65536):
            pass
    except OSError:
        pass


def trace_lines(path):
    try:
        with open(path) as f:
            return f.read().splitlines()
    except FileNotFoundError:
        return []


def ready(lines, painted_for):
    """The screen has its queue: the full ranking loaded ("loaded"), or
    items painted and no ranking still loading after a while."""
    words = [l.split() for l in lines]
    if any(w and w[0] == "loaded" for w in words):
        return True
    painted = any(w[:1] == ["first-paint"] and len(w) > 2 and w[2] != "0"
                  for w in words)
    return painted and painted_for > 3.0


def trial(relabel, base, work, k, rng):
    db = os.path.join(work, "k.db")
    trace = os.path.join(work, "trace")
    for p in (db, db + "-wal", db + "-shm", trace):
        if os.path.exists(p):
            os.unlink(p)
    shutil.copy(base, db)
    pid, fd = pty.fork()
    if pid == 0:
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 30, 100, 0, 0))
        env = dict(os.environ, TERM="xterm-256color", LC_ALL="C.UTF-8",
                   RELABEL_BENCH_TRACE=trace)
        os.execve(relabel, [relabel, "review", db, "--reviewer", "kim",
                            "--preview", "none"], env)
    fl = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, fl | os.O_NONBLOCK)

    # Wait until the queue is on screen (the full ranking loads after the
    # first paint), reading the screen's output meanwhile.
    start = time.time()
    while time.time() < start + 20:
        drain(fd)
        if ready(trace_lines(trace), time.time() - start):
            break
        time.sleep(0.01)
    else:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        return False, "the screen never painted"

    typed = 0
    stop = time.time() + rng.uniform(0.0, 0.5)
    while time.time() < stop:
        os.write(fd, rng.choice(DECISIONS))
        typed += 1
        drain(fd)
        time.sleep(rng.uniform(0.0, 0.01))
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    os.close(fd)

    shown = sum(1 for l in trace_lines(trace)
                if l.split(" ")[:2] in (["key", "1"], ["key", "2"],
                                        ["key", "a"], ["key", "s"]))
    con = sqlite3.connect(db)
    ok = con.execute("PRAGMA integrity_check").fetchone()[0]
    logged = con.execute("SELECT count(*) FROM reviews").fetchone()[0]
    bad = con.execute("SELECT count(*) FROM reviews WHERE reviewer != 'kim'"
                      ).fetchone()[0]
    con.close()
    what = f"typed {typed}, shown {shown}, logged {logged}, integrity {ok}"
    good = ok == "ok" and bad == 0 and shown <= logged <= typed
    return good, what


def main():
    relabel, base, work, trials, seed = sys.argv[1:6]
    rng = random.Random(int(seed))
    lost = 0
    total_shown = 0
    for k in range(1, int(trials) + 1):
        good, what = trial(relabel, base, work, k, rng)
        print(("ok" if good else "not ok") + f" - kill trial {k}: {what}")
        if not good:
            lost += 1
        else:
            total_shown += int(what.split("shown ")[1].split(",")[0])
    print(f"# {trials} kills, {total_shown} decisions shown as done, "
          f"{lost} trials lost a decision or failed")


main()
