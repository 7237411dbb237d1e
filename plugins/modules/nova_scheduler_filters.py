#!/usr/bin/python
# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)

from __future__ import annotations

DOCUMENTATION = r'''
module: nova_scheduler_filters
short_description: Make sure filters are in (or out of) the nova scheduler's filter list in nova.conf
version_added: 1.1.0
description:
  - Edits the list of filters the nova scheduler applies, C([filter_scheduler] enabled_filters) (nova 15.0.0, Ocata,
    and later) or C([DEFAULT] scheduler_default_filters) (earlier releases; nova 15.0.0 to 23.x, Ocata to Wallaby,
    still read it as the deprecated name of the current option), so that the filters of O(filters) are in it
    (O(state=present)) or not (O(state=absent)).
  - Keeps every other filter and their order; a missing filter is appended at the end, in the separator style of
    the value (C(A,B) or C(A, B)). Only the line of the option changes; every comment and other option stays.
  - When the option is not set, nova runs with its default list, so the module writes that list (O(default_filters))
    with the filter added; writing the filter alone would switch off every default filter.
  - A typical use is C(AggregateMultiTenancyIsolation), which host aggregates with C(filter_tenant_id) metadata need
    to keep other projects off their hosts.
  - Does not restart any service; notify a handler that restarts C(nova-scheduler) when RV(ignore:changed) is V(true).
author:
  - stackops maintainers (@stackops)
extends_documentation_fragment:
  - ansible.builtin.action_common_attributes
attributes:
  check_mode:
    support: full
    details:
      - Reports the same RV(ignore:changed), RV(filters), RV(changes) and diff, and writes nothing.
  diff_mode:
    support: full
    details:
      - The diff is of the whole file, with the values of secret options (passwords, database and transport URLs)
        masked.
  platform:
    support: full
    platforms: posix
options:
  path:
    description:
      - The nova configuration file the scheduler reads. It must exist; the module does not create one.
    type: path
    default: /etc/nova/nova.conf
  filters:
    description:
      - Filter class names, for example V(AggregateMultiTenancyIsolation). A name must be a Python identifier or a
        dotted path; anything else is refused naming it.
    type: list
    elements: str
    required: true
  state:
    description:
      - V(present) adds the filters that are missing, V(absent) removes those that are there.
      - Removing the last filters of the list is refused (nova would then schedule without any filter).
    type: str
    choices: [present, absent]
    default: present
  style:
    description:
      - Which option holds the list.
      - V(current) is C([filter_scheduler] enabled_filters), V(legacy) is C([DEFAULT] scheduler_default_filters).
      - V(auto) reads the file - the option that is set (the current one when both are, as nova reads the new name
        first), else the section or the commented default the file has for one of them, else V(current).
    type: str
    choices: [auto, current, legacy]
    default: auto
  default_filters:
    description:
      - The list nova uses when the option is unset, which the module starts from then.
      - Unset, nova's own default for the style, for O(style=current) that of nova 34.0.0, the same since nova 24.0.0
        (Xena) (C(ComputeFilter), C(ComputeCapabilitiesFilter), C(ImagePropertiesFilter),
        C(ServerGroupAntiAffinityFilter), C(ServerGroupAffinityFilter)); for O(style=legacy) that of nova 2015.1 (Kilo),
        which adds C(RetryFilter), C(AvailabilityZoneFilter) and C(RamFilter) in front.
      - The releases between have other defaults. Liberty to Ocata (nova 12 to 15) add C(DiskFilter) after
        C(RamFilter); Pike to Stein (nova 16 to 19) start with C(RetryFilter) and C(AvailabilityZoneFilter) and have
        neither C(RamFilter) nor C(DiskFilter); Train to Wallaby (nova 20 to 23) start with C(AvailabilityZoneFilter).
      - Set it to the default of your release when it differs (the commented C(#enabled_filters) line of the packaged
        C(nova.conf) shows it).
    type: list
    elements: str
  backup:
    description:
      - Before changing the file, copy it to a file whose name includes a timestamp, returned as RV(backup_file).
    type: bool
    default: false
notes:
  - The file is replaced atomically (a temporary file renamed over it) and keeps its owner, group and mode.
  - A filter must also be among C([filter_scheduler] available_filters) (by default every filter nova ships).
seealso:
  - name: nova scheduler filters
    description: What each filter does, C(AggregateMultiTenancyIsolation) included.
    link: https://docs.openstack.org/nova/latest/admin/scheduling.html
  - module: openstack.cloud.host_aggregate
'''

EXAMPLES = r'''
- name: Let aggregates with filter_tenant_id keep other projects off their hosts
  stackops.openstack.nova_scheduler_filters:
    filters: [AggregateMultiTenancyIsolation]
    backup: true
  notify: Restart nova-scheduler

- name: Preview the change on a Kilo-era controller
  stackops.openstack.nova_scheduler_filters:
    path: /etc/nova/nova.conf
    filters: [AggregateMultiTenancyIsolation, AggregateInstanceExtraSpecsFilter]
    style: legacy
  check_mode: true
  diff: true
  register: preview

- name: Show the filter list nova would use
  ansible.builtin.debug:
    msg: "{{ preview.filters | join(', ') }}"

- name: Take the isolation filter out again
  stackops.openstack.nova_scheduler_filters:
    filters: [AggregateMultiTenancyIsolation]
    state: absent
  notify: Restart nova-scheduler
'''

RETURN = r'''
style:
  description: The option style used, V(current) or V(legacy) (what O(style=auto) found).
  returned: always
  type: str
  sample: current
option:
  description: The option holding the list, as C([section] name).
  returned: always
  type: str
  sample: "[filter_scheduler] enabled_filters"
filters_before:
  description: The list nova used before, its default (O(default_filters)) when the option was unset.
  returned: always
  type: list
  elements: str
  sample: [ComputeFilter, ComputeCapabilitiesFilter, ImagePropertiesFilter, ServerGroupAntiAffinityFilter,
           ServerGroupAffinityFilter]
filters:
  description: The list after the change (in check mode, as it would be).
  returned: always
  type: list
  elements: str
  sample: [ComputeFilter, ComputeCapabilitiesFilter, ImagePropertiesFilter, ServerGroupAntiAffinityFilter,
           ServerGroupAffinityFilter, AggregateMultiTenancyIsolation]
added:
  description: The filters added.
  returned: always
  type: list
  elements: str
  sample: [AggregateMultiTenancyIsolation]
removed:
  description: The filters removed.
  returned: always
  type: list
  elements: str
  sample: []
changes:
  description:
    - Every option that was added or changed, with its values before and after.
    - A value is a string, a list for an option that occurs several times, or V(null) when absent.
  returned: always
  type: list
  elements: dict
  contains:
    section:
      description: The section of the option.
      type: str
      sample: filter_scheduler
    key:
      description: The option name.
      type: str
      sample: enabled_filters
    action:
      description: V(added), V(changed) or V(removed).
      type: str
      sample: added
    before:
      description: The value before, V(null) when the option was absent.
      type: raw
      sample: null
    after:
      description: The value after, V(null) when the option was removed.
      type: raw
      sample: ComputeFilter,ComputeCapabilitiesFilter,ImagePropertiesFilter,AggregateMultiTenancyIsolation
  sample:
    - {section: filter_scheduler, key: enabled_filters, action: changed, before: "ComputeFilter,ImagePropertiesFilter",
       after: "ComputeFilter,ImagePropertiesFilter,AggregateMultiTenancyIsolation"}
backup_file:
  description: The copy made by O(backup=true) before the change; V(null) when none was made.
  returned: always
  type: str
  sample: /etc/nova/nova.conf.2026-12-03@01:12:00~
'''

from ansible.module_utils.basic import AnsibleModule

from ansible_collections.stackops.openstack.plugins.module_utils import ini
from ansible_collections.stackops.openstack.plugins.module_utils import ini_module
from ansible_collections.stackops.openstack.plugins.module_utils import nova_scheduler


def main():
    module = AnsibleModule(
        argument_spec=dict(
            path=dict(type="path", default="/etc/nova/nova.conf"),
            filters=dict(type="list", elements="str", required=True),
            state=dict(type="str", choices=list(nova_scheduler.STATES), default="present"),
            style=dict(type="str", choices=list(nova_scheduler.STYLES), default="auto"),
            default_filters=dict(type="list", elements="str"),
            backup=dict(type="bool", default=False),
        ),
        supports_check_mode=True,
    )
    params = module.params
    path = params["path"]

    before = ini_module.read_config(module, path, "nova (nova-common)")
    try:
        edit = nova_scheduler.ensure_filters(before, params["filters"], state=params["state"], style=params["style"],
                                             default_filters=params["default_filters"])
    except (nova_scheduler.SchedulerFiltersError, ini.IniError) as exc:
        module.fail_json(msg="%s: %s" % (path, exc))

    for warning in edit.warnings:
        module.warn("%s: %s" % (path, warning))
    result = ini_module.write_config(module, path, before, edit.text, params["backup"])
    result.update(style=edit.style, option="[%s] %s" % (edit.section, edit.option), filters_before=edit.before,
                  filters=edit.after, added=edit.added, removed=edit.removed)
    module.exit_json(**result)


if __name__ == "__main__":
    main()
