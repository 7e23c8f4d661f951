"""pty_run.py - runs a command under a pseudo-terminal of a given size
and keeps every byte it writes, for the checks a tmux pane cannot make
(raw escape sequences, sixel images).

    pty_run.py OUT COLS ROWS XPIXELS YPIXELS [--da REPLY]
               [--step REGEX KEYS]... -- COMMAND...

Each step waits until the output written since the previous step matches
the byte regex REGEX, then types KEYS.  --da answers the terminal's
device attributes query (ESC [ c) with REPLY (Python escapes allowed).
Exits with the command's status, or 124 when a step or the exit takes
longer than 10 s; OUT gets the raw output either way."""
import fcntl
import os
import pty
import re
import select
import struct
import sys
import termios
import time


def parse(argv):
    out, cols, rows, xp, yp = argv[1], *map(int, argv[2:6])
    steps, da, i = [], None, 6
    while argv[i] != "--":
        if argv[i] == "--da":
            da = argv[i + 1].encode().decode("unicode_escape").encode("latin1")
            i += 2
        elif argv[i] == "--step":
            steps.append((re.compile(argv[i + 1].encode(), re.S),
                          argv[i + 2].encode()))
            i += 3
        else:
            sys.exit("pty_run.py: unknown option " + argv[i])
    return out, cols, rows, xp, yp, da, steps, argv[i + 1:]


def main():
    out, cols, rows, xp, yp, da, steps, cmd = parse(sys.argv)
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(cmd[0], cmd)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, xp, yp))
    data, mark, status = b"", 0, None
    deadline = time.time() + 10
    while time.time() < deadline:
        r, _, _ = select.select([fd], [], [], 0.05)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                chunk = b""
            if not chunk:
                break
            data += chunk
            if da and b"\x1b[c" in chunk:
                os.write(fd, da)
        if steps and steps[0][0].search(data, mark):
            mark = len(data)
            os.write(fd, steps.pop(0)[1])
            deadline = time.time() + 10
    open(out, "wb").write(data)
    end = time.time() + 5
    done = 0
    while done == 0 and time.time() < end:
        done, status = os.waitpid(pid, os.WNOHANG)
        time.sleep(0.02)
    if done == 0:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        sys.exit(124)
    sys.exit(124 if steps else os.waitstatus_to_exitcode(status))


main()
