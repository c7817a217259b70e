"""Matches events against an EventBridge event pattern with moto's own pattern engine.

    python event_pattern.py '{"pattern": "<the rule's EventPattern>", "events": [<event>, ...]}'

Prints a JSON list of booleans, one per event. moto 5.2.1 does not implement TestEventPattern (it answers
an empty body), so the suite asks the engine moto routes PutEvents with: the rule's pattern as the API
returns it, parsed and validated as moto parses a rule's pattern (an invalid pattern fails here too).
"""

import json
import sys

from moto.events.models import EventPattern


def main() -> int:
    request = json.loads(sys.argv[1])
    pattern = EventPattern.load(request["pattern"])
    print(json.dumps([pattern.matches_event(event) for event in request["events"]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
