"""Put an ACTIVE instance on the lab's compute host, straight into Nova's databases.

The lab has no Glance, so nothing can be booted through the API; the console calls only
need an instance record that names a running compute host. The record is made with
Nova's own objects (the same code the conductor uses), in cell1, with its API-side
mapping, so the real nova-api and nova-compute treat it as any other server.

Run with the lab venv's python:
    lab_instance.py <nova.conf> <project_id> <user_id> <name>   -> prints the instance UUID
"""

from __future__ import annotations

import sys
import uuid


def main(conf: str, project_id: str, user_id: str, name: str) -> str:
    from nova import config, context, objects
    from nova.compute import power_state, vm_states
    from nova.network import model as network_model
    from oslo_utils import timeutils

    objects.register_all()
    config.parse_args(["lab_instance", "--config-file", conf])
    admin = context.get_admin_context()
    cells = [cell for cell in objects.CellMappingList.get_all(admin) if cell.name == "cell1"]
    if len(cells) != 1:
        raise SystemExit(f"expected one cell named cell1 in the API database, found {len(cells)}")
    cell = cells[0]
    host = config.CONF.host
    instance_uuid = str(uuid.uuid4())
    with context.target_cell(admin, cell) as cell_context:
        nodes = objects.ComputeNodeList.get_all_by_host(cell_context, host)
        if len(nodes) != 1:
            raise SystemExit(f"expected one compute node on host {host} in cell1, found {len(nodes)}")
        instance = objects.Instance(
            cell_context,
            uuid=instance_uuid,
            project_id=project_id,
            user_id=user_id,
            display_name=name,
            hostname=name,
            host=host,
            node=nodes[0].hypervisor_hostname,
            compute_id=nodes[0].id,
            launched_on=host,
            vm_state=vm_states.ACTIVE,
            power_state=power_state.RUNNING,
            task_state=None,
            memory_mb=64,
            vcpus=1,
            root_gb=1,
            ephemeral_gb=0,
            availability_zone="nova",
            image_ref="",
            launched_at=timeutils.utcnow(),
            metadata={},
            system_metadata={},
            # the API's server view reads the flavor and the network info of every server
            flavor=objects.Flavor(
                flavorid="lab-spice", name="lab.spice", memory_mb=64, vcpus=1, root_gb=1, ephemeral_gb=0,
                swap=0, rxtx_factor=1.0, vcpu_weight=0, disabled=False, is_public=True, extra_specs={},
                description=None,
            ),
            info_cache=objects.InstanceInfoCache(network_info=network_model.NetworkInfo()),
        )
        instance.create()
    objects.InstanceMapping(
        admin, instance_uuid=instance_uuid, cell_mapping=cell, project_id=project_id, user_id=user_id
    ).create()
    return instance_uuid


if __name__ == "__main__":
    if len(sys.argv) != 5:
        raise SystemExit(__doc__)
    print(main(*sys.argv[1:]))
