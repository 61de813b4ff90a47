#!/usr/bin/env python3
"""Test peer: Python twin of the lecture's TCP "client".

usage: seed_client.py HOST PORT

Connects, prints "Please enter the message: ", reads one line (at most 254
bytes, like fgets(buf, 255)) from stdin, sends it once, reads up to 255
bytes once and prints them followed by "\\n". Like the original, every
error path exits 0.
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
    os._exit(0)  # the lecture client exits 0 even on errors


def no_such_host():
    err("ERROR, no such host\n")
    sys.stdout.flush()
    os._exit(0)


def main():
    c_signals()
    if len(sys.argv) < 3:
        err(f"usage {sys.argv[0]} hostname port\n")
        sys.exit(0)

    port = atoi(sys.argv[2])
    try:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 0)
    except OSError as e:
        fail("ERROR opening socket", e)

    host = sys.argv[1]
    if host == "":
        no_such_host()
    try:
        addr = socket.gethostbyname(host)
    except (OSError, UnicodeError, ValueError):
        no_such_host()

    try:
        sock.connect((addr, port & 0xFFFF))
    except OSError as e:
        fail("ERROR connecting", e)

    out(b"Please enter the message: ")

    line = c_string(sys.stdin.buffer.readline(254))
    try:
        sock.send(line)
    except OSError as e:
        fail("ERROR writing to socket", e)

    try:
        reply = sock.recv(255)
    except OSError as e:
        fail("ERROR reading from socket", e)

    out(c_string(reply) + b"\n")
    sys.exit(0)


if __name__ == "__main__":
    main()
