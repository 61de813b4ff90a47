"""Small helpers shared by the Python test peers to mimic C library output."""
import os
import signal
import sys

_C_SPACE = " \t\n\v\f\r"


def atoi(text):
    """C atoi(): skip leading whitespace, optional sign, leading digits; else 0.

    The result is wrapped to a 32-bit int like glibc's (int)strtol().
    """
    s = text.lstrip(_C_SPACE)
    sign = 1
    if s[:1] in ("+", "-"):
        if s[0] == "-":
            sign = -1
        s = s[1:]
    digits = ""
    for ch in s:
        if "0" <= ch <= "9":
            digits += ch
        else:
            break
    if not digits:
        return 0
    value = sign * int(digits)
    # strtol clamps to the long range, then the (int) cast wraps.
    value = max(-(2 ** 63), min(2 ** 63 - 1, value))
    value &= 0xFFFFFFFF
    return value - 2 ** 32 if value >= 2 ** 31 else value


def c_string(data):
    """Bytes as C's printf("%s") would see them: up to the first NUL."""
    nul = data.find(b"\0")
    return data if nul < 0 else data[:nul]


def perror(msg, err):
    """perror(msg) for an OSError (or an errno int)."""
    errno_value = err if isinstance(err, int) else err.errno
    text = os.strerror(errno_value) if errno_value is not None else str(err)
    sys.stderr.write(f"{msg}: {text}\n")
    sys.stderr.flush()


def out(data):
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()


def err(text):
    sys.stderr.write(text)
    sys.stderr.flush()


def c_signals(sigpipe_default=True):
    """Restore C-program signal dispositions (Python ignores SIGPIPE and
    turns SIGINT into KeyboardInterrupt)."""
    if sigpipe_default:
        signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
