#!/usr/bin/env python3
"""Time from exec of a server command to its first HTTP 200 on a path.

usage: starttime.py PORT PATH TIMEOUT_S -- CMD ARGS...
Prints the milliseconds (float) on stdout; kills the server it started
(SIGTERM, then SIGKILL after 5 s). Polls every 0.5 ms with a raw socket so
the resolution is well under a millisecond.
"""
import os, signal, socket, subprocess, sys, time

def main():
    port, path, timeout = int(sys.argv[1]), sys.argv[2], float(sys.argv[3])
    cmd = sys.argv[sys.argv.index('--') + 1:]
    req = ('GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n' % path).encode()
    t0 = time.monotonic_ns()
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    ms = None
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and p.poll() is None:
            try:
                with socket.create_connection(('127.0.0.1', port), timeout=1) as s:
                    s.sendall(req)
                    head = s.recv(64)
                    if head.startswith(b'HTTP/1.1 200') or head.startswith(b'HTTP/1.0 200'):
                        ms = (time.monotonic_ns() - t0) / 1e6
                        break
            except OSError:
                pass
            time.sleep(0.0005)
    finally:
        if p.poll() is None:
            p.send_signal(signal.SIGTERM)
            try:
                p.wait(5)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
    if ms is None:
        print('server gave no 200 within %.0f s (exit %s)' % (timeout, p.returncode), file=sys.stderr)
        sys.exit(1)
    print('%.1f' % ms)

if __name__ == '__main__':
    main()
