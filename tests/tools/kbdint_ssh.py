#!/usr/bin/env python3
"""kbdint_ssh.py — drives a real ssh client through keyboard-interactive on
a pty, the way a person at a terminal does, for tests/e2e/device_ssh.sh.

usage: kbdint_ssh.py CTL ACTION -- ssh ARGS...
  ACTION approve:USER  read the user code from the prompt, wait a little
                       longer than the provider's 1 s interval (a person
                       is slower), approve it through the provider's test
                       control at CTL, then press Enter
         deny          the same, denying
         browser:USER  the same, approving in a real headless chromium at
                       the provider's pages (tests/tools/cdp_approve.mjs)
         password:PW   answer a "Password:" prompt with PW (a local user)
Prints everything ssh printed, then "RC n" (ssh's exit status) and, when a
code was approved, "APPROVAL_TO_OUTPUT_MS n": from the control's answer to
the first "logged in as" line from the remote shell. Bounded: 90 s.
"""
import json
import os
import pty
import re
import select
import subprocess
import sys
import time
import urllib.request


def ctl(base, path, body):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"}, method="POST")
    with urllib.request.urlopen(req, timeout=10) as r:
        r.read()


def main():
    base, action = sys.argv[1], sys.argv[2]
    argv = sys.argv[sys.argv.index("--") + 1:]
    pid, fd = pty.fork()
    if pid == 0:
        os.execvp(argv[0], argv)
    buf, acted, t_act, t_out = b"", False, None, None
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.1)
        if r:
            try:
                d = os.read(fd, 4096)
            except OSError:
                break
            if not d:
                break
            buf += d
            sys.stdout.buffer.write(d)
            sys.stdout.flush()
        if t_act and t_out is None and b"logged in as" in buf:
            t_out = time.monotonic()
        if acted:
            continue
        if action.startswith("password:") and re.search(rb"[Pp]assword: ?$", buf):
            os.write(fd, action.split(":", 1)[1].encode() + b"\r")
            acted = True
        m = re.search(rb"enter the code ([A-Z0-9-]+)", buf)
        if m and b"Press Enter" in buf and not action.startswith("password:"):
            code = m.group(1).decode()
            time.sleep(1.2)
            m2 = re.search(rb"To sign in, open (\S+) and", buf)
            if action.startswith("browser:") and m2:
                cdp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cdp_approve.mjs")
                r = subprocess.run(["node", "--experimental-websocket", cdp, m2.group(1).decode(), code,
                                    action.split(":", 1)[1]], capture_output=True, text=True, timeout=90)
                sys.stdout.write("\n" + r.stdout)
            elif action.startswith("approve:"):
                ctl(base, "/approve", {"user_code": code, "user": action.split(":", 1)[1]})
            else:
                ctl(base, "/deny", {"user_code": code})
            t_act = time.monotonic()
            os.write(fd, b"\r")
            acted = True
    try:
        _, status = os.waitpid(pid, os.WNOHANG)
        if _ == 0:
            os.kill(pid, 9)
            _, status = os.waitpid(pid, 0)
        rc = os.waitstatus_to_exitcode(status)
    except ChildProcessError:
        rc = -1
    print(f"\nRC {rc}")
    if t_act and t_out:
        print(f"APPROVAL_TO_OUTPUT_MS {int((t_out - t_act) * 1000)}")


main()
