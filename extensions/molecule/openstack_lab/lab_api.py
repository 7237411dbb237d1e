"""What the molecule scenarios on the OpenStack lab set up and read through the API (openstacksdk), in one
process: each call takes a while to import openstacksdk and to get a token, so several commands may be
joined with `+`, and their results are printed as one JSON list.

    lab_api.py projects <name>...                     create the projects (or find them), the cloud's user an
                                                      admin there -> {name: id}
    lab_api.py aggregate <name> <host>[,<host>] [<key>=<value>...]
                                                      create a host aggregate -> its name
    lab_api.py server-groups <project> <name>...      server groups owned by <project> -> their names
    lab_api.py networks <project> <name>...           networks owned by <project> -> their names
    lab_api.py aggregates                             -> {name: {hosts, metadata, availability_zone}}
    lab_api.py quotas <project>...                    -> {project: {limits: {...}, in_use: {...}}}

quotas reads each project's limits and usage as nova (the quota set's detail) and neutron (the quota
details) hold them, {resource: number}, nova's and neutron's resources together (their names differ).
OS_CLIENT_CONFIG_FILE and OS_CLOUD (default lab) choose the cloud.
"""

from __future__ import annotations

import json
import os
import sys

import openstack

COMPUTE = ("instances", "cores", "ram", "key_pairs", "metadata_items", "server_groups", "server_group_members")
NETWORK = ("floating_ips", "networks", "subnets", "ports", "routers", "security_groups", "security_group_rules")


def projects(conn, names: list[str]) -> dict:
    user = conn.identity.find_user("admin", ignore_missing=False)
    role = conn.identity.find_role("admin", ignore_missing=False)
    out = {}
    for name in names:
        project = conn.identity.find_project(name, domain_id="default") or conn.identity.create_project(
            name=name, domain_id="default"
        )
        conn.identity.assign_project_role_to_user(project, user, role)
        out[name] = project.id
    return out


def aggregate(conn, args: list[str]) -> str:
    name, hosts, *metadata = args
    created = conn.compute.create_aggregate(name=name)
    for host in hosts.split(","):
        created = conn.compute.add_host_to_aggregate(created, host)
    if metadata:
        conn.compute.set_aggregate_metadata(created, dict(item.split("=", 1) for item in metadata))
    return name


def server_groups(conn, args: list[str]) -> list[str]:
    project, *names = args
    scoped = conn.connect_as_project(project)
    for name in names:
        scoped.compute.create_server_group(name=name, policies=["anti-affinity"])
    return names


def networks(conn, args: list[str]) -> list[str]:
    project, *names = args
    project_id = conn.identity.find_project(project, ignore_missing=False).id
    for name in names:
        conn.network.create_network(name=name, project_id=project_id)
    return names


def aggregates(conn, args: list[str]) -> dict:
    if args:
        raise SystemExit(f"aggregates takes no arguments, got {' '.join(args)}")
    return {
        a.name: {"hosts": sorted(a.hosts or []), "metadata": a.metadata or {}, "availability_zone": a.availability_zone}
        for a in conn.compute.aggregates()
    }


def quotas(conn, names: list[str]) -> dict:
    out = {}
    for name in names:
        project = conn.identity.find_project(name, ignore_missing=False)
        nova = conn.compute.get_quota_set(project.id, usage=True)
        neutron = conn.network.get_quota(project.id, details=True)
        out[name] = {
            "limits": {**{r: getattr(nova, r) for r in COMPUTE}, **{r: getattr(neutron, r)["limit"] for r in NETWORK}},
            "in_use": {**{r: (nova.usage or {}).get(r) for r in COMPUTE}, **{r: getattr(neutron, r)["used"] for r in NETWORK}},
        }
    return out


COMMANDS = {
    "projects": projects,
    "aggregate": aggregate,
    "server-groups": server_groups,
    "networks": networks,
    "aggregates": aggregates,
    "quotas": quotas,
}


def main(argv: list[str]) -> int:
    commands: list[list[str]] = [[]]
    for arg in argv:
        if arg == "+":
            commands.append([])
        else:
            commands[-1].append(arg)
    if not all(command and command[0] in COMMANDS for command in commands):
        print(__doc__, file=sys.stderr)
        return 2
    conn = openstack.connect(cloud=os.environ.get("OS_CLOUD", "lab"))
    print(json.dumps([COMMANDS[command[0]](conn, command[1:]) for command in commands]))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
