#!/usr/bin/env python3
"""Test peer: Python twin of the lecture's TCP "server".

usage: seed_server.py PORT

Binds 0.0.0.0:PORT (SO_REUSEADDR), listens, accepts one client, reads up to
255 bytes once, prints "Here is the message: %s\\n" and replies with the 18
bytes "I got your message"; exit 0. Errors: perror-style text, exit 1.
Test extension: PORT 0 -> ephemeral port, "listening on N\\n" on stderr.
"""
import os
import socket
import sys

sys.dont_write_bytecode = True  # keep the source tree clean
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _cstyle import atoi, c_signals, c_string, err, out, perror  # noqa: E402


def fail(msg, e):
    perror(msg, e)
    sys.stdout.flush()
    os._exit(1)


def main():
    c_signals()
    if len(sys.argv) < 2:
        err("ERROR, no port provided\n")
        sys.exit(1)

    try:
        lsock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    except OSError as e:
        fail("ERROR opening socket", e)
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)

    port = atoi(sys.argv[1])
    try:
        lsock.bind(("0.0.0.0", port & 0xFFFF))
    except OSError as e:
        fail("ERROR on binding", e)
    try:
        lsock.listen(5)
    except OSError:
        pass  # the original ignores listen()'s result

    if port == 0:
        err(f"listening on {lsock.getsockname()[1]}\n")

    try:
        conn, _ = lsock.accept()
    except OSError as e:
        fail("ERROR on accept", e)

    try:
        data = conn.recv(255)
    except OSError as e:
        fail("ERROR reading from socket", e)
    out(b"Here is the message: " + c_string(data) + b"\n")

    try:
        conn.send(b"I got your message")
    except OSError as e:
        fail("ERROR writing to socket", e)

    sys.stdout.flush()
    sys.exit(0)


if __name__ == "__main__":
    main()
