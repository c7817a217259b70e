"""Makes AWS API calls with boto3 for the emulator suite and prints their answers as one JSON list.

    python aws_call.py CALLS_JSON

CALLS_JSON is a list of {"service", "operation", "params", "region"} (params and region optional). Each
answer is {"ok": true, "result": ...} or {"ok": false, "code": "<error code>", "message": "..."}. Endpoint
and credentials come from AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_DEFAULT_REGION.
"""

import datetime
import json
import sys

import boto3
import botocore.exceptions


def plain(value):
    """JSON-safe copy of a boto3 answer (datetimes as ISO strings, streams read)."""
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items() if k != "ResponseMetadata"}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, (datetime.datetime, datetime.date)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if hasattr(value, "read"):
        return value.read().decode("utf-8", "replace")
    return value


def main() -> int:
    calls = json.loads(sys.argv[1])
    clients = {}
    answers = []
    for call in calls:
        key = (call["service"], call.get("region"))
        if key not in clients:
            clients[key] = boto3.client(call["service"], region_name=call.get("region"))
        try:
            result = getattr(clients[key], call["operation"])(**call.get("params", {}))
            answers.append({"ok": True, "result": plain(result)})
        except botocore.exceptions.ClientError as e:
            error = e.response.get("Error", {})
            answers.append({"ok": False, "code": error.get("Code", ""), "message": error.get("Message", str(e))})
    json.dump(answers, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
