"""Servers and Placement facts for the compute_day2 tests, through openstacksdk (the lab venv's python).

    lab_servers.py boot <prefix> <count> <host> <flavor> [--project NAME]  -> JSON list of {id, name, host}
    lab_servers.py hosts <id>...                   -> JSON {id: {host, status, task_state}} of those that exist
    lab_servers.py delete <id>...                  -> deletes and waits until they are gone
    lab_servers.py stop <id>...                    -> stops and waits for SHUTOFF
    lab_servers.py wait-reserved <host> <MB>       -> waits until Placement shows MEMORY_MB reserved = MB
    lab_servers.py migration-overlap <id>...       -> JSON {"most": n}: the most live-migration records of
                                                      these instances whose [created_at, updated_at) overlap

Booting pins the host with availability_zone nova:<host> (admin only), no network (microversion
2.37 "none"), the image lab-raw. OS_CLIENT_CONFIG_FILE and OS_CLOUD choose the cloud.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import datetime

import openstack


def boot(conn, prefix: str, count: int, host: str, flavor: str, project: str | None) -> list[dict]:
    if project:
        conn = conn.connect_as_project(project)
    image = conn.image.find_image("lab-raw", ignore_missing=False)
    found = conn.compute.find_flavor(flavor, ignore_missing=False)
    created = [
        conn.compute.create_server(
            name=f"{prefix}{n}",
            image_id=image.id,
            flavor_id=found.id,
            networks="none",
            availability_zone=f"nova:{host}",
        )
        for n in range(1, count + 1)
    ]
    out = []
    for server in created:
        server = conn.compute.wait_for_server(server, wait=120)
        out.append({"id": server.id, "name": server.name, "host": server.compute_host})
    return out


def hosts(conn, ids: list[str]) -> dict:
    out = {}
    for server_id in ids:
        server = conn.compute.find_server(server_id, all_projects=True)
        if server is None:  # deleted: left out
            continue
        server = conn.compute.get_server(server_id)
        out[server_id] = {"host": server.compute_host, "status": server.status, "task_state": server.task_state}
    return out


def delete(conn, ids: list[str]) -> dict:
    for server_id in ids:
        conn.compute.delete_server(server_id, ignore_missing=True)
    deadline = time.monotonic() + 120
    left = list(ids)
    while left:
        left = [i for i in left if conn.compute.find_server(i, all_projects=True) is not None]
        if left and time.monotonic() > deadline:
            raise SystemExit(f"still there 120 s after delete: {', '.join(left)}")
        time.sleep(0.5 if left else 0)
    return {"deleted": ids}


def stop(conn, ids: list[str]) -> dict:
    for server_id in ids:
        conn.compute.stop_server(server_id)
    for server_id in ids:
        conn.compute.wait_for_server(conn.compute.get_server(server_id), status="SHUTOFF", wait=120)
    return {"stopped": ids}


def wait_reserved(conn, host: str, megabytes: int) -> dict:
    providers = conn.placement.get(f"/resource_providers?name={host}", microversion="1.10").json()
    uuid = providers["resource_providers"][0]["uuid"]
    deadline = time.monotonic() + 90
    while True:
        inventory = conn.placement.get(f"/resource_providers/{uuid}/inventories").json()["inventories"]
        reserved = inventory["MEMORY_MB"]["reserved"]
        if reserved == megabytes:
            return {"host": host, "reserved": reserved}
        if time.monotonic() > deadline:
            raise SystemExit(f"{host}: MEMORY_MB reserved is {reserved}, not {megabytes}, after 90 s")
        time.sleep(1)


def migration_overlap(conn, ids: list[str]) -> dict:
    spans = []
    for server_id in ids:
        answer = conn.compute.get(
            f"/os-migrations?instance_uuid={server_id}&migration_type=live-migration", microversion="2.59"
        ).json()
        for record in answer["migrations"]:
            start = datetime.fromisoformat(record["created_at"])
            end = datetime.fromisoformat(record["updated_at"] or record["created_at"])
            spans.append((start, end))
    most = max((sum(1 for s, e in spans if s <= start < e or s == start) for start, _end in spans), default=0)
    return {"most": most, "records": len(spans)}


def main(argv: list[str]) -> None:
    conn = openstack.connect()
    command, args = argv[0], argv[1:]
    if command == "boot":
        project = None
        if "--project" in args:
            index = args.index("--project")
            project = args[index + 1]
            args = args[:index] + args[index + 2 :]
        result = boot(conn, args[0], int(args[1]), args[2], args[3], project)
    elif command == "hosts":
        result = hosts(conn, args)
    elif command == "stop":
        result = stop(conn, args)
    elif command == "delete":
        result = delete(conn, args)
    elif command == "wait-reserved":
        result = wait_reserved(conn, args[0], int(args[1]))
    elif command == "migration-overlap":
        result = migration_overlap(conn, args)
    else:
        raise SystemExit(f"unknown command {command}")
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
