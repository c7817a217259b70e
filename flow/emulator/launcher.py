"""Runs moto (the AWS API emulator) for this project on 127.0.0.1, on a port the OS picks.

    python launcher.py READY_FILE PARENT_PID

Writes READY_FILE (JSON: port, instance, pid, moto) once the server answers, serves until SIGTERM or
SIGINT, and exits by itself when PARENT_PID is no longer its parent, so it never outlives the command
that started it. GET /_emulator/instance answers with the same JSON: it tells one server from another,
so a state made against a server that has since stopped is never used against a new one.

SHIMS answer the few calls moto does not implement but the AWS provider makes on every plan, each listed
with its cause in flow/emulator/gaps.ts (SHIMMED); everything else is moto's own answer.
"""

import json
import os
import signal
import sys
import threading
import time
import urllib.request
import uuid


def validate_state_machine_definition(_body: bytes):
    """Step Functions' ValidateStateMachineDefinition: every definition passes (moto validates nothing)."""
    return {"result": "OK", "diagnostics": [], "truncated": False}


def list_state_machine_versions(_body: bytes):
    """Step Functions' ListStateMachineVersions: none (the project publishes no versions)."""
    return {"stateMachineVersions": []}


# X-Amz-Target of a call -> its answer; kept in step with gaps.ts SHIMMED by a test.
SHIMS = {
    "AWSStepFunctions.ValidateStateMachineDefinition": validate_state_machine_definition,
    "AWSStepFunctions.ListStateMachineVersions": list_state_machine_versions,
}


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
                "accountId": os.environ.get("MOTO_ACCOUNT_ID", "123456789012"), "shims": sorted(SHIMS)}

    def answer(start_response, payload, content_type="application/json"):
        body = json.dumps(payload).encode()
        start_response("200 OK", [("Content-Type", content_type), ("Content-Length", str(len(body)))])
        return [body]

    def app(environ, start_response):
        if environ.get("PATH_INFO") == "/_emulator/instance":
            return answer(start_response, identity)
        shim = SHIMS.get(environ.get("HTTP_X_AMZ_TARGET", ""))
        if shim is not None:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            return answer(start_response, shim(environ["wsgi.input"].read(length)), "application/x-amz-json-1.0")
        return moto_app(environ, start_response)

    # One request at a time, each on its own connection (werkzeug speaks HTTP/1.0 without threads): with a
    # thread per request and keep-alive, applies under load now and then created a security group or rule
    # twice ("InvalidGroup.Duplicate", "InvalidPermission.Duplicate" on the provider's first call, every
    # response logged 200), a request retried after its connection dropped or moto's state raced; moto's
    # backends are not written for concurrent requests. Its calls take milliseconds, so nothing waits long.
    server = make_server("127.0.0.1", 0, app, threaded=False)
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
