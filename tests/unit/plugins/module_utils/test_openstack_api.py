# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
from __future__ import annotations

import json

import pytest
from ansible_collections.stackops.openstack.plugins.module_utils.openstack_api import error_text


class Response:
    def __init__(self, text):
        self.text = text

    def json(self):
        return json.loads(self.text)


@pytest.mark.parametrize("body, expected", [
    ('{"badRequest": {"code": 400, "message": "No valid host was found."}}', "No valid host was found."),
    ('{"errors": [{"status": 409, "title": "Conflict", "detail": "generation mismatch"}]}', "generation mismatch"),
    ('{"errors": [{"status": 409, "title": "Conflict"}]}', "Conflict"),
    ('{"unexpected": 1}', "{'unexpected': 1}"),
    ("<html>Bad Gateway</html>", "<html>Bad Gateway</html>"),
    ("x" * 400, "x" * 300),
])
def test_error_text_reads_nova_and_placement_bodies(body, expected):
    assert error_text(Response(body)) == expected
