"""Make ``ansible_collections.stackops.openstack`` importable from this checkout.

The repository root is the collection root, but Python imports collections by their
``ansible_collections/<namespace>/<name>`` path, so a link tree under .build/ (the
same one `make` uses for ANSIBLE_COLLECTIONS_PATH) points back at the checkout.
"""

import os
from pathlib import Path

from ansible.utils.collection_loader._collection_finder import _AnsibleCollectionFinder

REPO = Path(__file__).resolve().parents[2]
COLLECTIONS = REPO / ".build" / "collections"
LINK = COLLECTIONS / "ansible_collections" / "stackops" / "openstack"

if not LINK.exists():
    LINK.parent.mkdir(parents=True, exist_ok=True)
    os.symlink(os.path.relpath(REPO, LINK.parent), LINK)
# Ansible's own collection finder, as ansible-test installs it for unit tests: every test
# then imports the collection the way Ansible's plugin loaders do, so a test that renders
# templates with the collection's filters finds them whatever was imported before.
_AnsibleCollectionFinder(paths=[str(COLLECTIONS)])._install()
