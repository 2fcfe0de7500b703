"""Runs Debian's `age -d` on a passphrase-encrypted file, typing the
passphrase at its terminal prompt (age reads passphrases only from a
terminal, never from stdin or the environment).

    python3 age-passphrase.py IN OUT PASSPHRASE
"""
import os
import pty
import sys
import time

source, target, passphrase = sys.argv[1:4]
pid, terminal = pty.fork()
if pid == 0:
    os.execvp("age", ["age", "-d", "-o", target, source])

said = b""


def read_some():
    global said
    try:
        chunk = os.read(terminal, 1024)
    except OSError:
        return False
    said += chunk
    return bool(chunk)


deadline = time.time() + 30
while b"passphrase" not in said.lower() and time.time() < deadline:
    if not read_some():
        break
os.write(terminal, passphrase.encode() + b"\n")
while read_some():
    pass
_, status = os.waitpid(pid, 0)
code = os.waitstatus_to_exitcode(status)
if code != 0:
    sys.stderr.write(said.decode(errors="replace"))
sys.exit(code)
