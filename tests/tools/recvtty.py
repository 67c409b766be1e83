#!/usr/bin/env python3
"""recvtty: a --console-socket receiver for the test suite (plays conmon's
role, like runc's contrib/cmd/recvtty).

    recvtty.py SOCKET [--out FILE] [--input TEXT] [--size] [--count N] [--fdinfo]

Listens on the unix socket SOCKET, accepts N connections (default 1) and
takes the pty master each one sends with SCM_RIGHTS.  For each: with
--size, writes "ROWS COLS" of the pty to FILE first; writes TEXT (\\n
escapes allowed) to the terminal; then copies everything the container
writes on it to FILE (default stdout) until the last process holding the
pty slave closes it.  The message that came with the fd is written to
FILE.name (runc sends "/dev/ptmx").  With --fdinfo (for --pidfd-socket)
the fd is not a terminal: FILE gets its /proc/self/fd link and fdinfo.
Exits 0, or 1 with a message."""
import array
import fcntl
import os
import socket
import struct
import sys
import termios


def recv_fd(conn):
    fds = array.array("i")
    msg, anc, _flags, _addr = conn.recvmsg(4096, socket.CMSG_LEN(4 * fds.itemsize))
    for level, typ, data in anc:
        if level == socket.SOL_SOCKET and typ == socket.SCM_RIGHTS:
            fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
    if not fds:
        raise SystemExit("recvtty: no fd received")
    return msg, fds[0]


def main():
    args = sys.argv[1:]
    if not args:
        raise SystemExit(__doc__)
    path, out, text, size, count, fdinfo = args[0], None, None, False, 1, False
    i = 1
    while i < len(args):
        if args[i] == "--out":
            out, i = args[i + 1], i + 2
        elif args[i] == "--input":
            text, i = args[i + 1].encode().decode("unicode_escape").encode(), i + 2
        elif args[i] == "--size":
            size, i = True, i + 1
        elif args[i] == "--fdinfo":
            fdinfo, i = True, i + 1
        elif args[i] == "--count":
            count, i = int(args[i + 1]), i + 2
        else:
            raise SystemExit("recvtty: unknown argument " + args[i])
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(4)
    sink = open(out, "ab", buffering=0) if out else sys.stdout.buffer
    for _ in range(count):
        conn, _ = srv.accept()
        name, master = recv_fd(conn)
        conn.close()
        if out:
            with open(out + ".name", "wb") as f:
                f.write(name)
        if fdinfo:
            sink.write(os.readlink("/proc/self/fd/%d" % master).encode() + b"\n")
            with open("/proc/self/fdinfo/%d" % master, "rb") as f:
                sink.write(f.read())
            os.close(master)
            continue
        if size:
            rows, cols = struct.unpack("HHHH", fcntl.ioctl(master, termios.TIOCGWINSZ, b"\0" * 8))[:2]
            sink.write(b"%d %d\n" % (rows, cols))
        if text:
            os.write(master, text)
        while True:
            try:
                data = os.read(master, 8192)
            except OSError:        # EIO: every holder of the slave closed it
                break
            if not data:
                break
            sink.write(data)
            sink.flush()
        os.close(master)
    srv.close()
    os.unlink(path)


if __name__ == "__main__":
    main()
