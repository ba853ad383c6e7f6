"""Print ``docs/events.md`` (or, with ``--json-schema``, the payloads' JSON Schemas)."""

from __future__ import annotations

import json
import sys

from helpline.domain.event_catalogue.docs import json_schemas, render_markdown

if __name__ == "__main__":
    if sys.argv[1:] == ["--json-schema"]:
        sys.stdout.write(json.dumps(json_schemas(), indent=2) + "\n")
    elif sys.argv[1:]:
        sys.exit(
            "usage: python -m helpline.domain.event_catalogue [--json-schema] > docs/events.md"
        )
    else:
        sys.stdout.write(render_markdown())
