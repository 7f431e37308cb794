"""Pins for the oldest dependencies requirements.txt allows: `name>=1.51,<2` -> `name==1.51.*`.

Used by tests/lowest_versions.sh, which installs them and runs the fast tests, so a floor we
state is a floor we have run (the newest patch release of each floor, as users would get).
"""

import re
import sys
from pathlib import Path

FLOOR = re.compile(r"^\s*([A-Za-z0-9_.\-\[\]]+)\s*>=\s*([0-9][0-9A-Za-z.]*)")


def lowest_pins(requirements: str) -> list[str]:
    """One `name==floor.*` per requirement that states a floor; others are left out."""
    pins = []
    for line in requirements.splitlines():
        match = FLOOR.match(line.split("#", 1)[0])
        if match:
            name, floor = match.groups()
            pins.append(f"{name}=={floor}.*")
    return pins


if __name__ == "__main__":
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "requirements.txt")
    print("\n".join(lowest_pins(path.read_text())))
