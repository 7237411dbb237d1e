# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""The nova scheduler's filter list in nova.conf: make sure some filters are in it (or not).

Where the list lives, by release:

- ``current``: ``[filter_scheduler] enabled_filters`` (nova 15.0.0, Ocata, and later; the
  name nova 34 reads, nova/conf/scheduler.py).
- ``legacy``: ``[DEFAULT] scheduler_default_filters`` (up to Newton, nova 14; Ocata to
  Wallaby, nova 15.0.0 to 23.x, still read it as the deprecated name of the current option;
  nova 24.0.0, Xena, dropped that alias).

``auto`` picks the style from the file: the option that is set (the current one when both
are, since nova reads the new name first), else the section or commented default the file
has for one of them, else ``current``.

The value is an oslo.config ListOpt: names separated by commas, blanks around them
ignored. An edit keeps the other filters and their order, appends a missing filter at the
end (the cheap, most common filters stay first) in the separator style of the value
(``A,B`` or ``A, B``), and removes one without touching the rest. When the option is not
set, nova runs with its default list, so that list is written with the filter added:
writing the filter alone would switch every other default filter off.

Pure functions on plain values and on INI texts (through ini.py); errors are
SchedulerFiltersError with a sentence naming the bad value.
"""

from __future__ import annotations

import collections
import re

from ansible_collections.stackops.openstack.plugins.module_utils import ini

STYLES = ("auto", "current", "legacy")
STATES = ("present", "absent")

# (section, option) of the filter list per style
OPTION = {
    "current": ("filter_scheduler", "enabled_filters"),
    "legacy": ("DEFAULT", "scheduler_default_filters"),
}

# nova's own default when the option is unset, compared with nova's source:
# current: nova 34.0.0 nova/conf/scheduler.py [filter_scheduler] enabled_filters; unchanged
# since 24.0.0 (Xena), also in Debian 12's nova-common 26.2.2. Earlier current-style releases
# differ: Ocata (15.0.0) is Liberty's list below; Pike to Stein (16-19) RetryFilter,
# AvailabilityZoneFilter, then these five; Train to Wallaby (20-23) AvailabilityZoneFilter, then these five.
# legacy: nova 2015.1.0 (Kilo) nova/scheduler/host_manager.py scheduler_default_filters;
# Liberty to Newton (12-14) add DiskFilter after RamFilter.
NOVA_DEFAULT_FILTERS = {
    "current": ("ComputeFilter", "ComputeCapabilitiesFilter", "ImagePropertiesFilter",
                "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter"),
    "legacy": ("RetryFilter", "AvailabilityZoneFilter", "RamFilter", "ComputeFilter", "ComputeCapabilitiesFilter",
               "ImagePropertiesFilter", "ServerGroupAntiAffinityFilter", "ServerGroupAffinityFilter"),
}

# a filter class name as nova looks it up in its available filters (a class name, or a dotted path)
_FILTER_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*\Z")

FilterEdit = collections.namedtuple("FilterEdit", "text style section option before after added removed warnings")


class SchedulerFiltersError(ValueError):
    """A parameter, or a nova.conf, the filter list cannot be edited with."""


def check_filters(filters, what="filters"):
    """The filter names as a list, each once; SchedulerFiltersError naming a bad one."""
    if isinstance(filters, str) or not isinstance(filters, (list, tuple)):
        raise SchedulerFiltersError("%s must be a list of filter class names, got %r" % (what, filters))
    result = []
    for name in filters:
        if not isinstance(name, str) or not _FILTER_NAME.match(name):
            raise SchedulerFiltersError("%s has %r, expected a nova filter class name such as "
                                        "AggregateMultiTenancyIsolation" % (what, name))
        if name not in result:
            result.append(name)
    return result


def split_filters(value):
    """The names of a ListOpt value, in order; blanks and empty items dropped as oslo.config does."""
    return [item.strip() for item in value.split(",") if item.strip()]


def join_filters(names, like=None):
    """The ListOpt value of names, with the separator of ``like`` (a previous value) when it had one."""
    sep = ","
    if like is not None and re.search(r",[ \t]", like):
        sep = ", "
    return sep.join(names)


def _commented(doc_text, section, option):
    """True when the file documents the option with a commented default in its section."""
    pattern = re.compile(r"^[ \t]*[#;]+[ \t]*%s[ \t]*[=:]" % re.escape(option), re.M)
    current = None
    for line in doc_text.splitlines():
        header = re.match(r"\[([^\]]*)\][ \t]*$", line)
        if header:
            current = header.group(1)
        elif current == section and pattern.match(line):
            return True
    return False


def detect_style(text):
    """current or legacy for this nova.conf text (see the module docstring)."""
    doc = ini.parse(text)
    current, legacy = OPTION["current"], OPTION["legacy"]
    if doc.get_all(*current):
        return "current"
    if doc.get_all(*legacy):
        return "legacy"
    if doc.has_section(current[0]) or _commented(text, *current):
        return "current"
    if _commented(text, *legacy):
        return "legacy"
    return "current"


def ensure_filters(text, filters, state="present", style="auto", default_filters=None):
    """The nova.conf text with ``filters`` in (present) or out of (absent) the scheduler's list.

    default_filters: the list nova uses when the option is unset (None: NOVA_DEFAULT_FILTERS
    of the style). Returns a FilterEdit; ``before`` is the effective list before (nova's default
    when unset), ``after`` the list after.
    """
    if state not in STATES:
        raise SchedulerFiltersError("state is %r, expected one of: %s" % (state, ", ".join(STATES)))
    if style not in STYLES:
        raise SchedulerFiltersError("style is %r, expected one of: %s" % (style, ", ".join(STYLES)))
    filters = check_filters(filters)
    if not filters:
        raise SchedulerFiltersError("filters is empty, expected at least one filter class name")
    chosen = detect_style(text) if style == "auto" else style
    if default_filters is None:
        default_filters = list(NOVA_DEFAULT_FILTERS[chosen])
    else:
        default_filters = check_filters(default_filters, "default_filters")
    section, option = OPTION[chosen]
    doc = ini.parse(text)
    warnings = []
    other = OPTION["legacy" if chosen == "current" else "current"]
    if doc.get_all(*other):
        if chosen == "current":
            warnings.append("[%s] %s is also set; nova releases that know [%s] %s ignore it, so it was left as it is"
                            % (other[0], other[1], section, option))
        else:
            warnings.append("[%s] %s is also set and wins over [%s] %s in every release that reads both; the filters "
                            "were written to [%s] %s as asked (style=legacy)"
                            % (other[0], other[1], section, option, section, option))
    raw = doc.get(section, option)
    before = split_filters(raw) if raw is not None else list(default_filters)
    if state == "present":
        added = [name for name in filters if name not in before]
        removed = []
        after = before + added
    else:
        added = []
        removed = [name for name in filters if name in before]
        after = [name for name in before if name not in filters]
        if not after and removed:
            raise SchedulerFiltersError("removing %s would leave [%s] %s empty, and nova would then schedule without "
                                        "any filter; refusing" % (", ".join(removed), section, option))
    if added or removed:
        doc.set(section, option, join_filters(after, raw))
    return FilterEdit(doc.text, chosen, section, option, before, after, added, removed, warnings)
