#!/usr/bin/env python3
"""Slow HTTP clients against a server on loopback, as an attacker holding connections open would be.

Opens HEADERS connections that trickle a request head one byte at a time and BODIES connections that
send a complete head announcing a large body and then trickle it one byte at a time, every INTERVAL
seconds, until the server closes each connection or LIMIT seconds pass. Prints one JSON object: for each
kind, how many connections were opened, how many the server closed, and the longest any stayed open.
Bounded in connections and time; it only ever talks to the loopback port given.
"""
import argparse
import json
import select
import socket
import time


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--headers", type=int, default=50)
    parser.add_argument("--bodies", type=int, default=200)
    parser.add_argument("--interval", type=float, default=1.0)
    parser.add_argument("--limit", type=float, default=60.0)
    args = parser.parse_args()

    head = b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Padding: " + b"a" * 4096 + b"\r\n\r\n"
    body_head = (
        b"POST /v1/employers HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
        b"Authorization: Bearer cw_slowbody_x\r\nContent-Length: 1000000\r\n\r\n"
    )
    connections = []  # [socket, kind, payload, sent, opened_at, closed_at]
    started = time.monotonic()
    for kind, count in (("headers", args.headers), ("bodies", args.bodies)):
        for _ in range(count):
            s = socket.create_connection(("127.0.0.1", args.port), timeout=10)
            s.setblocking(False)
            if kind == "bodies":
                s.sendall(body_head)
                payload = b"{" + b" " * 999_999
            else:
                payload = head
            connections.append([s, kind, payload, 0, time.monotonic(), None])

    while time.monotonic() - started < args.limit:
        open_ones = [c for c in connections if c[5] is None]
        if not open_ones:
            break
        # Whatever the server closed shows as readable with no data (or a reset). poll, not select, which
        # cannot watch a descriptor past 1,023.
        poller = select.poll()
        by_fd = {}
        for c in open_ones:
            poller.register(c[0], select.POLLIN | select.POLLERR | select.POLLHUP)
            by_fd[c[0].fileno()] = c
        readable = {by_fd[fd][0] for fd, _ in poller.poll(args.interval * 1000)}
        now = time.monotonic()
        for c in open_ones:
            if c[0] in readable:
                try:
                    data = c[0].recv(65536)
                except OSError:
                    data = b""
                if not data:
                    c[5] = now
                    c[0].close()
                    continue
            if c[5] is None and c[3] < len(c[2]):
                try:
                    c[0].send(c[2][c[3] : c[3] + 1])
                    c[3] += 1
                except OSError:
                    c[5] = now
                    c[0].close()

    now = time.monotonic()
    report = {}
    for kind in ("headers", "bodies"):
        ours = [c for c in connections if c[1] == kind]
        closed = [c for c in ours if c[5] is not None]
        longest = max(((c[5] or now) - c[4] for c in ours), default=0.0)
        report[kind] = {"opened": len(ours), "closed": len(closed), "longest_open_seconds": round(longest, 1)}
    for c in connections:
        if c[5] is None:
            c[0].close()
    print(json.dumps(report))


if __name__ == "__main__":
    main()
