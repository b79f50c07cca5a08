#!/usr/bin/env python3
"""How long `ebguard server` takes from a `didChange` to the `publishDiagnostics` of that
version, on a copy of a bundle (standard library only; plain JSON-RPC over pipes).

    python3 tests/pytest_lsp/latency.py EBGUARD_BINARY BUNDLE_DIR [EDITS]

Opens the bundle's largest `.ebextensions/*.config`, then alternately adds and removes an
unguarded migration at its end (so each version has a different answer), one edit every
400 ms (past the server's 100 ms debounce, so each edit is checked), and prints the median,
95th percentile and maximum. The time includes the debounce: it is what a user waits for.
"""

import json
import pathlib
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time

ADDED = "\ncontainer_commands:\n  99_latency_probe:\n    command: python3 manage.py migrate\n"


def main():
    binary, bundle = sys.argv[1], pathlib.Path(sys.argv[2])
    edits = int(sys.argv[3]) if len(sys.argv) > 3 else 40
    with tempfile.TemporaryDirectory() as tmp:
        root = pathlib.Path(tmp) / "bundle"
        shutil.copytree(bundle, root, symlinks=True)
        configs = sorted((root / ".ebextensions").glob("*.config"), key=lambda p: p.stat().st_size)
        target = configs[-1]
        files = sum(1 for p in root.rglob("*") if p.is_file())
        base = target.read_text()
        # A file that already has container_commands gets the probe under a second key, a
        # duplicate EB reports too; either way the diagnostics differ between versions.
        server = subprocess.Popen([binary, "server"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        published = {}
        lock = threading.Condition()

        def reader():
            while True:
                length = None
                while True:
                    line = server.stdout.readline()
                    if not line:
                        return
                    line = line.strip()
                    if not line:
                        break
                    if line.startswith(b"Content-Length:"):
                        length = int(line.split(b":")[1])
                message = json.loads(server.stdout.read(length))
                if message.get("method") == "textDocument/publishDiagnostics":
                    params = message["params"]
                    if params["uri"] == target.as_uri() and "version" in params:
                        with lock:
                            published[params["version"]] = (time.perf_counter(), len(params["diagnostics"]))
                            lock.notify_all()

        def send(message):
            body = json.dumps(message).encode()
            server.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
            server.stdin.flush()

        threading.Thread(target=reader, daemon=True).start()
        send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
              "params": {"processId": None, "rootUri": root.as_uri(), "capabilities": {}}})
        time.sleep(0.5)
        send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
        send({"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": {"textDocument": {
            "uri": target.as_uri(), "languageId": "yaml", "version": 0, "text": base}}})
        samples = []
        counts = set()
        for version in range(1, edits + 1):
            text = base + ADDED if version % 2 else base
            sent = time.perf_counter()
            send({"jsonrpc": "2.0", "method": "textDocument/didChange", "params": {
                "textDocument": {"uri": target.as_uri(), "version": version},
                "contentChanges": [{"text": text}]}})
            with lock:
                if not lock.wait_for(lambda: version in published, timeout=10):
                    sys.exit(f"no diagnostics for version {version}")
                at, count = published[version]
            samples.append((at - sent) * 1000)
            counts.add(count)
            time.sleep(0.4)
        send({"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": None})
        send({"jsonrpc": "2.0", "method": "exit", "params": None})
        server.wait(timeout=10)
        samples.sort()
        p95 = samples[int(len(samples) * 0.95) - 1]
        print(f"bundle {bundle.name}: {files} files, edited {target.name} ({len(base)} bytes)")
        print(f"didChange -> publishDiagnostics over {len(samples)} edits: median {statistics.median(samples):.1f} ms, "
              f"p95 {p95:.1f} ms, max {samples[-1]:.1f} ms (diagnostic counts seen: {sorted(counts)})")


if __name__ == "__main__":
    main()
