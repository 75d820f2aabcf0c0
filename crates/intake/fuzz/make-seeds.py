#!/usr/bin/env python3
"""Writes the fuzz targets' seed inputs from the intake's test fixtures.

Each fixture becomes a zlib segment (seeds/segment), metadata agreeing with
it (seeds/metadata) and both as one upload input (seeds/upload: metadata,
newline, segment). Run it again after changing a fixture.
"""

import json
import zlib
from pathlib import Path

FUZZ = Path(__file__).resolve().parent
FIXTURES = FUZZ.parent / "tests" / "fixtures"


def metadata_for(index, events, compressed):
    parsed = json.loads(events)
    return {
        "application": {"id": "shop"},
        "session": {"id": "fixture-session"},
        "view": {"id": "fixture-view"},
        "start": parsed[0]["timestamp"],
        "end": parsed[-1]["timestamp"],
        "records_count": len(parsed),
        "index_in_view": index,
        "has_full_snapshot": any(event["type"] == 2 for event in parsed),
        "creation_reason": "init" if index == 0 else "segment_duration_limit",
        "raw_segment_size": len(events),
        "compressed_segment_size": len(compressed),
    }


def main():
    for index, name in enumerate(["first-segment", "second-segment"]):
        events = (FIXTURES / f"{name}.json").read_bytes()
        compressed = zlib.compress(events)
        metadata = json.dumps(metadata_for(index, events, compressed), separators=(",", ":"))
        outputs = {
            "segment": compressed,
            "metadata": metadata.encode(),
            "upload": metadata.encode() + b"\n" + compressed,
        }
        for target, data in outputs.items():
            folder = FUZZ / "seeds" / target
            folder.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)


if __name__ == "__main__":
    main()
