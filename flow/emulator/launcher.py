"""Runs moto (the AWS API emulator) for this project on 127.0.0.1, on a port the OS picks.

    python launcher.py READY_FILE PARENT_PID

Writes READY_FILE (JSON: port, instance, pid, moto) once the server answers, serves until SIGTERM or
SIGINT, and exits by itself when PARENT_PID is no longer its parent, so it never outlives the command
that started it. GET /_emulator/instance answers with the same JSON: it tells one server from another,
so a state made against a server that has since stopped is never used against a new one.
"""

import json
import os
import signal
import sys
import threading
import time
import urllib.request
import uuid


def main() -> int:
    if len(sys.argv) != 3:
        sys.stderr.write(__doc__)
        return 2
    ready_file, parent = sys.argv[1], int(sys.argv[2])
    # AWS managed policies (AWSBatchServiceRole, ...) exist only when loaded at start.
    os.environ.setdefault("MOTO_IAM_LOAD_MANAGED_POLICIES", "true")

    import moto
    from moto.server import DomainDispatcherApplication, create_backend_app
    from werkzeug.serving import make_server

    moto_app = DomainDispatcherApplication(create_backend_app)
    identity = {"instance": uuid.uuid4().hex, "pid": os.getpid(), "moto": moto.__version__,
                "accountId": os.environ.get("MOTO_ACCOUNT_ID", "123456789012")}

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/_emulator/instance":
            body = json.dumps(identity).encode()
            start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
            return [body]
        return moto_app(environ, start_response)

    server = make_server("127.0.0.1", 0, app, threaded=True)
    port = server.server_port
    identity["port"] = port
    # moto builds some URLs (queue URLs, presigned URLs) from MOTO_PORT.
    os.environ["MOTO_PORT"] = str(port)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stopping.set())

    with urllib.request.urlopen(f"http://127.0.0.1:{port}/_emulator/instance", timeout=30) as response:
        response.read()
    partial = f"{ready_file}.{os.getpid()}.tmp"
    with open(partial, "w") as f:
        json.dump(identity, f)
    os.replace(partial, ready_file)

    while not stopping.is_set():
        if os.getppid() != parent:
            break
        stopping.wait(0.5)
    server.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
