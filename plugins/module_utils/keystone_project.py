# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Finding the project a module works on, by name or ID, optionally within a domain."""

from __future__ import annotations


def find_project(identity, project, domain=None):
    """The project named or numbered `project` (in `domain`, a name or ID, when given), through
    openstacksdk's identity proxy. LookupError with the sentence for the operator when the
    domain or the project does not exist."""
    kwargs = {}
    if domain:
        found_domain = identity.find_domain(domain, ignore_missing=True)
        if found_domain is None:
            raise LookupError("domain %s not found in Keystone" % domain)
        kwargs["domain_id"] = found_domain.id
    found = identity.find_project(project, ignore_missing=True, **kwargs)
    if found is None:
        raise LookupError("project %s not found in Keystone%s; give its name or ID"
                          % (project, " (domain %s)" % domain if domain else ""))
    return found
