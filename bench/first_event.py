"""Time from opening the dashboard's event stream to its first event (the whole view built
and sent), over RUNS streams; prints the median and the worst in milliseconds."""

import socket
import statistics
import sys
import time

port, runs = int(sys.argv[1]), int(sys.argv[2]) if len(sys.argv) > 2 else 10
# The control plane answers only clients that name a host it knows (see the README's
# "Reliability"): the address itself.
request = f"GET /_emulator/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode()
times = []
for _ in range(runs):
    started = time.perf_counter()
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(request)
        seen = b""
        while b"\nretry: " not in seen:  # the first event ends with its retry field
            chunk = s.recv(65536)
            if not chunk:
                raise SystemExit("the stream ended before its first event")
            seen += chunk
    times.append((time.perf_counter() - started) * 1000)
print(f"{statistics.median(times):.1f} {max(times):.1f}")
