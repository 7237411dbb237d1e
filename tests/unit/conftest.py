"""Make ``ansible_collections.stackops.openstack`` importable from this checkout.

The repository root is the collection root, but Python imports collections by their
``ansible_collections/<namespace>/<name>`` path, so a link tree under .build/ (the
same one `make` uses for ANSIBLE_COLLECTIONS_PATH) points back at the checkout.
"""

import os
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "stackops" / "openstack"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(REPO, LINK.parent), LINK)
sys.path.insert(0, str(COLLECTIONS))
