# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Reading the answers of the raw API requests our modules make with a chosen microversion."""

from __future__ import annotations


def error_text(response):
    """The message of a Nova ({"badRequest": {"message": ...}}) or Placement ({"errors": [{"detail": ...}]})
    error body, else the start of the body."""
    try:
        body = response.json()
    except ValueError:
        return (response.text or "")[:300]
    if isinstance(body, dict):
        for value in body.values():
            if isinstance(value, dict) and value.get("message"):
                return value["message"]
        errors = body.get("errors")
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return errors[0].get("detail") or errors[0].get("title") or str(errors[0])
    return str(body)[:300]
