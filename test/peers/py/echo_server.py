#!/usr/bin/env python3
"""Test peer: Python twin of test/peers/c/echo_server.c.

usage: echo_server.py PORT [MAXCLIENTS]

Listens on 127.0.0.1:PORT (PORT 0 -> ephemeral, "listening on N\\n" on
stderr). Serves clients one at a time, echoing everything until EOF, then
closes. Exits 0 after MAXCLIENTS clients (default 1); exits 2 after 30 s.
"""
import os
import signal
import socket
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _cstyle import atoi, c_signals, err, perror  # noqa: E402


def fail(msg, e):
    perror(msg, e)
    os._exit(1)


def serve(conn):
    try:
        while True:
            data = conn.recv(4096)
            if not data:
                return
            conn.sendall(data)
    except OSError:
        return


def main():
    c_signals(sigpipe_default=False)  # SIGPIPE stays ignored, as in the C twin
    if len(sys.argv) < 2 or len(sys.argv) > 3:
        err(f"usage: {sys.argv[0]} PORT [MAXCLIENTS]\n")
        sys.exit(1)
    signal.signal(signal.SIGALRM, lambda *_: os._exit(2))
    signal.alarm(30)

    port = atoi(sys.argv[1])
    max_clients = atoi(sys.argv[2]) if len(sys.argv) == 3 else 1
    if max_clients < 1:
        max_clients = 1

    try:
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    except OSError as e:
        fail("socket() failed", e)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        lsock.bind(("127.0.0.1", port & 0xFFFF))
    except OSError as e:
        fail("bind() failed", e)
    try:
        lsock.listen(16)
    except OSError as e:
        fail("listen() failed", e)

    if port == 0:
        err(f"listening on {lsock.getsockname()[1]}\n")

    for _ in range(max_clients):
        try:
            conn, _ = lsock.accept()
        except OSError as e:
            fail("accept() failed", e)
        serve(conn)
        conn.close()
    lsock.close()
    sys.exit(0)


if __name__ == "__main__":
    main()
