"""What Octavia and Neutron hold for one load balancer, read the way an operator would.

Run with the lab's Python (openstacksdk); OS_CLIENT_CONFIG_FILE points at the lab's
clouds.yaml. Independent of the role and of openstack.cloud. Prints one JSON object:

    {"load_balancers": [names of every load balancer in the project],
     "load_balancer": {...} or null, "listeners": [...], "pools": [...],
     "members": [...], "health_monitors": [...], "statuses": {...} (Octavia's status tree),
     "floating_ips": [floating IPs on the VIP port]}

    lb_state.py NAME
"""

import json
import sys

import openstack


def plain(resource, keys):
    data = resource.to_dict(computed=False)
    return {k: data.get(k) for k in keys}


def main(name):
    conn = openstack.connect(cloud="lab")
    lbs = list(conn.load_balancer.load_balancers())
    out = {"load_balancers": sorted(lb.name for lb in lbs), "load_balancer": None, "listeners": [], "pools": [],
           "members": [], "health_monitors": [], "statuses": {}, "floating_ips": []}
    mine = [lb for lb in lbs if lb.name == name]
    if not mine:
        return out
    lb = mine[0]
    out["load_balancer"] = plain(lb, ("id", "name", "provisioning_status", "vip_address", "vip_subnet_id",
                                      "vip_network_id", "vip_port_id", "description"))
    out["listeners"] = [plain(li, ("id", "name", "protocol", "protocol_port", "provisioning_status", "default_pool_id",
                                   "timeout_client_data", "timeout_member_data"))
                        for li in conn.load_balancer.listeners(load_balancer_id=lb.id)]
    pools = list(conn.load_balancer.pools(loadbalancer_id=lb.id))
    out["pools"] = [plain(p, ("id", "name", "protocol", "lb_algorithm", "provisioning_status", "health_monitor_id"))
                    for p in pools]
    for pool in pools:
        out["members"] += [dict(plain(m, ("id", "name", "address", "protocol_port", "monitor_port", "weight", "subnet_id",
                                          "provisioning_status")), pool=pool.name)
                           for m in conn.load_balancer.members(pool.id)]
    out["health_monitors"] = [plain(h, ("name", "type", "url_path", "expected_codes", "http_method", "delay",
                                        "timeout", "max_retries", "max_retries_down", "provisioning_status", "pools"))
                              for h in conn.load_balancer.health_monitors()
                              if any(p["id"] in {pool.id for pool in pools} for p in h.pools)]
    out["statuses"] = conn.load_balancer.get(f"/lbaas/loadbalancers/{lb.id}/status").json()["statuses"]
    out["floating_ips"] = [plain(ip, ("floating_ip_address", "floating_network_id", "port_id", "fixed_ip_address"))
                           for ip in conn.network.ips(port_id=lb.vip_port_id)]
    return out


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1]), indent=1, sort_keys=True))
