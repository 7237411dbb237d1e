# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""Checks of a Galera cluster's definition that must pass before anything is changed.

Pure: takes the members as plain dicts, returns the errors and warnings in words.
Every inventory value that ends up in the server's option files, the member list or
the clustercheck configuration is checked here, so that a bad value stops the role
before a file is written (a newline in a node name would otherwise start a new
option line in galera.cnf).
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata

SST_METHODS = {"mariadb": ("mariabackup", "rsync"), "percona": ("xtrabackup-v2",)}
SST_NEEDS_CREDENTIALS = ("mariabackup",)

# The documented patterns (roles/galera_cluster/README.md, meta/argument_specs.yml).
NAME_PATTERN = re.compile(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,63}\Z")
NAME_EXPECTED = "1 to 64 letters, digits, '.', '_' or '-', starting with a letter or a digit"
# no ':' (wsrep_sst_auth is user:password, split at the first colon), no quotes
USER_PATTERN = re.compile(r"\A[A-Za-z0-9_][A-Za-z0-9_.-]{0,79}\Z")
USER_EXPECTED = "1 to 80 letters, digits, '_', '.' or '-', not starting with '.' or '-'"
OPTION_NAME_PATTERN = re.compile(r"\A[A-Za-z][A-Za-z0-9_-]{0,127}\Z")
OPTION_NAME_EXPECTED = "a server option name: letters, digits, '_' and '-', starting with a letter"
PROVIDER_KEY_PATTERN = re.compile(r"\A[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*\Z")
PROVIDER_KEY_EXPECTED = "a Galera provider option name such as gcs.fc_limit: letters, digits, '_' and '.'"
DATADIR_PATTERN = re.compile(r"\A/[A-Za-z0-9._/+@:-]*\Z")
DATADIR_EXPECTED = "an absolute path of letters, digits and '/', '.', '_', '-', '+', '@', ':'"
SIZE_PATTERN = re.compile(r"\A[0-9]+[KMGTPE]?\Z", re.IGNORECASE)
SIZE_EXPECTED = "a size such as 128M, 1G or a number of bytes"
# ';' separates provider options, '\' is Galera's escape character there
PROVIDER_VALUE_FORBIDDEN = ";\\"

# role variables the members' "config" may carry, and how each is checked
_NAMES = ("galera_cluster_name",)
_USERS = ("galera_cluster_sst_user", "galera_cluster_clustercheck_user")
_PORTS = ("galera_cluster_port", "galera_cluster_clustercheck_port")
_SIZES = ("galera_cluster_innodb_buffer_pool_size", "galera_cluster_innodb_log_file_size", "galera_cluster_gcache_size")
CONFIG_KEYS = _NAMES + _USERS + _PORTS + _SIZES + (
    "galera_cluster_bind_address",
    "galera_cluster_datadir",
    "galera_cluster_max_connections",
    "galera_cluster_settings",
    "galera_cluster_provider_options",
)
# must be the same on every member
_CLUSTER_WIDE = ("galera_cluster_name", "galera_cluster_sst_user")


def control_characters(text):
    """Return the control and line-separator characters of ``text`` as U+XXXX strings, each once."""
    found = []
    for char in str(text):
        if unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and char not in found:
            found.append(char)
    return ["U+%04X" % ord(char) for char in found]


def _describe(value):
    # repr() shows a control character as an escape, so the message itself stays one line
    return repr(value) if isinstance(value, str) else repr(str(value))


def check_text(label, value, pattern=None, expected=None):
    """Return an error for ``value`` (named ``label``) or None: a string, no control character, the pattern."""
    if not isinstance(value, (str, int)) or isinstance(value, bool):
        return "%s %r is not a string%s" % (label, value, "; expected %s" % expected if expected else "")
    text = str(value)
    bad = control_characters(text)
    if bad:
        return "%s %s has a control character (%s)%s" % (label, _describe(text), ", ".join(bad),
                                                         "; expected %s" % expected if expected else "")
    if pattern is not None and not pattern.match(text):
        return "%s %s is not valid; expected %s" % (label, _describe(text), expected)
    return None


def member_address_problem(address):
    """Return why ``address`` cannot be a member address (other nodes must reach it), or None."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return "is not an IP address"
    if getattr(ip, "scope_id", None):
        return "is zone-scoped (%%%s): the zone is only meaningful on this host" % ip.scope_id
    if ip.is_unspecified:
        return "is the unspecified address: it names no host"
    if ip.is_loopback:
        return "is a loopback address: the other nodes would reach themselves"
    if ip.is_multicast:
        return "is a multicast address, not a host's address"
    if ip.version == 6 and ip.is_link_local:
        return "is IPv6 link-local: it needs a zone (interface), which Galera cannot use"
    return None


def _label(member, index):
    host = member.get("host")
    if isinstance(host, str) and host and not control_characters(host):
        return host
    name = member.get("name")
    if isinstance(name, str) and NAME_PATTERN.match(name):
        return name
    return "member %d" % (index + 1)


def _check_scalar_value(label, value, forbidden=""):
    if value is None and not forbidden:
        return None  # a flag without a value (skip-name-resolve)
    if isinstance(value, bool) or isinstance(value, (int, float)):
        return None
    if not isinstance(value, str):
        return "%s is a %s; expected a string, a number or a boolean" % (label, type(value).__name__)
    error = check_text(label, value)
    if error:
        return error
    bad = sorted(set(char for char in value if char in forbidden))
    if bad:
        return "%s %s contains %s; expected a value without %s" % (
            label, _describe(value), " and ".join(repr(c) for c in bad), " or ".join(repr(c) for c in forbidden))
    return None


def _check_mapping(label, mapping, key_pattern, key_expected, forbidden=""):
    if mapping is None:
        return []
    if not isinstance(mapping, dict):
        return ["%s is a %s; expected a dictionary" % (label, type(mapping).__name__)]
    errors = []
    for key in mapping:
        error = check_text("%s key" % label, key, key_pattern, key_expected)
        if error:
            errors.append(error)
            continue
        error = _check_scalar_value("%s[%s]" % (label, key), mapping[key], forbidden)
        if error:
            errors.append(error)
    return errors


def _check_port(label, value):
    try:
        port = int(value)
    except (TypeError, ValueError):
        return "%s %s is not a port number; expected 1 to 65535" % (label, _describe(value))
    if isinstance(value, bool) or str(port) != str(value).strip() or control_characters(str(value)) \
            or not 1 <= port <= 65535:
        return "%s %s is not a port number; expected 1 to 65535" % (label, _describe(value))
    return None


def _check_bind_address(value, own):
    """Return (error, warning) for galera_cluster_bind_address."""
    label = "galera_cluster_bind_address"
    error = check_text(label, value)
    if error:
        return error, None
    try:
        ip = ipaddress.ip_address(str(value))
    except ValueError:
        return "%s %s is not an IP address; expected one of the host's addresses" % (label, _describe(value)), None
    if getattr(ip, "scope_id", None):
        return "%s %s is zone-scoped; expected one of the host's addresses" % (label, _describe(value)), None
    if ip.is_unspecified:
        return None, ("%s is %s: the server listens for clients on every interface of the host; only the "
                      "firewall keeps others out" % (label, ip))
    if not ip.is_loopback and own and str(ip) not in own:
        return ("%s %s is not one of the host's addresses (%s): the server could not listen there"
                % (label, ip, ", ".join(own)), None)
    return None, None


def check_node_config(config, own_addresses=()):
    """Return (errors, warnings) for one node's values that reach the option files (role variable names)."""
    errors = []
    warnings = []
    for key in config or {}:
        if key not in CONFIG_KEYS:
            errors.append("%s is not a value the preflight knows (expected one of %s)" % (key, ", ".join(CONFIG_KEYS)))
    config = config or {}

    def add(error):
        if error:
            errors.append(error)

    for key in _NAMES:
        if key in config:
            add(check_text(key, config[key], NAME_PATTERN, NAME_EXPECTED))
    for key in _USERS:
        if key in config:
            add(check_text(key, config[key], USER_PATTERN, USER_EXPECTED))
    for key in _PORTS:
        if key in config:
            add(_check_port(key, config[key]))
    if all(key in config for key in _PORTS) and str(config[_PORTS[0]]) == str(config[_PORTS[1]]):
        errors.append("galera_cluster_port and galera_cluster_clustercheck_port are both %s; expected two ports"
                      % config[_PORTS[0]])
    for key in _SIZES:
        if key in config:
            add(check_text(key, config[key], SIZE_PATTERN, SIZE_EXPECTED))
    if "galera_cluster_datadir" in config:
        add(check_text("galera_cluster_datadir", config["galera_cluster_datadir"], DATADIR_PATTERN, DATADIR_EXPECTED))
    if "galera_cluster_max_connections" in config:
        value = config["galera_cluster_max_connections"]
        if isinstance(value, bool) or not re.match(r"\A[0-9]{1,6}\Z", str(value)) or int(value) < 1:
            errors.append("galera_cluster_max_connections %s is not valid; expected a number from 1"
                          % _describe(value))
    if "galera_cluster_bind_address" in config:
        error, warning = _check_bind_address(config["galera_cluster_bind_address"], list(own_addresses))
        add(error)
        if warning:
            warnings.append(warning)
    if "galera_cluster_settings" in config:
        errors.extend(_check_mapping("galera_cluster_settings", config["galera_cluster_settings"],
                                     OPTION_NAME_PATTERN, OPTION_NAME_EXPECTED))
    if "galera_cluster_provider_options" in config:
        errors.extend(_check_mapping("galera_cluster_provider_options", config["galera_cluster_provider_options"],
                                     PROVIDER_KEY_PATTERN, PROVIDER_KEY_EXPECTED, PROVIDER_VALUE_FORBIDDEN))
    return errors, warnings


def member_network(address, host_networks):
    """Return the network (CIDR text) of the host interface that carries ``address``, or None."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return None
    containing = []
    for entry in host_networks or []:
        try:
            iface = ipaddress.ip_interface(str(entry))
        except ValueError:
            continue
        if iface.ip == ip:
            return str(iface.network)
        if iface.version == ip.version and ip in iface.network:
            containing.append(iface.network)
    if containing:
        return str(max(containing, key=lambda n: n.prefixlen))
    return None


def check_cluster(members, flavor, sst_method, sst_password_set, client_sources=(), allow_world_clients=False):
    """Return (errors, warnings, cluster_address) for ``members`` in bootstrap order; see plan_cluster()."""
    plan = plan_cluster(members, flavor, sst_method, sst_password_set, client_sources, allow_world_clients)
    return plan["errors"], plan["warnings"], plan["cluster_address"]


def plan_cluster(members, flavor, sst_method, sst_password_set, client_sources=(), allow_world_clients=False):
    """Check the cluster definition and work out its address and the networks allowed on the client ports.

    Each member is ``{"host", "name", "address", "host_addresses", "host_networks", "config"}``:
    ``host`` the inventory name (for messages), ``name`` the node name, ``address`` the
    replication address, ``host_addresses`` (the host's own IPv4/IPv6 addresses, from facts)
    and ``host_networks`` (its interface addresses as address/prefix) may be empty when unknown,
    ``config`` the node's other values that reach the option files, keyed by role variable
    (see CONFIG_KEYS). ``client_sources`` are the networks the firewall lets reach the client
    ports besides the cluster's own networks; one that is open to every address (prefix length 0)
    is an error unless ``allow_world_clients``, then a warning.

    Returns a dict: errors, warnings, cluster_address (gcomm://...), cluster_networks (the
    networks of the members' addresses), client_networks (client_sources as networks).
    """
    errors = []
    warnings = []
    result = {"errors": errors, "warnings": warnings, "cluster_address": None,
              "cluster_networks": [], "client_networks": []}
    if not members:
        errors.append("the cluster group has no hosts")
        return result

    if flavor not in SST_METHODS:
        errors.append("flavor %r is not supported, expected one of %s" % (flavor, ", ".join(sorted(SST_METHODS))))
    elif sst_method not in SST_METHODS[flavor]:
        errors.append("SST method %r does not work with flavor %s, expected one of %s"
                      % (sst_method, flavor, ", ".join(SST_METHODS[flavor])))
    if sst_method in SST_NEEDS_CREDENTIALS and not sst_password_set:
        errors.append("SST method %s needs credentials: set galera_cluster_sst_password (vault it)" % sst_method)

    seen_names = {}
    seen_addresses = {}
    cluster_networks = []
    cluster_wide = {}
    for index, member in enumerate(members):
        label = _label(member, index)
        name = member.get("name")
        name_error = check_text("node name (galera_cluster_node_name)", name, NAME_PATTERN, NAME_EXPECTED)
        if name_error:
            errors.append("%s: %s" % (label, name_error))
        elif name in seen_names:
            errors.append("node name %r is used twice" % name)
        seen_names[name] = True

        own = [str(a) for a in member.get("host_addresses") or []]
        config = member.get("config") or {}
        node_errors, node_warnings = check_node_config(config, own)
        errors.extend("%s: %s" % (label, e) for e in node_errors)
        warnings.extend("%s: %s" % (label, w) for w in node_warnings)
        for key in _CLUSTER_WIDE:
            if key in config:
                cluster_wide.setdefault(key, []).append((label, config[key]))

        address = member.get("address")
        address = "" if address is None else address
        problem = member_address_problem(address) if isinstance(address, str) else "is not an IP address"
        if problem == "is not an IP address":
            # the historical wording, kept: operators and tests search for it
            errors.append("%s: node address %r is not an IP address" % (label, address))
            continue
        if problem:
            errors.append("%s: node address %s (galera_cluster_node_address) %s; expected an address the other "
                          "nodes can reach" % (label, _describe(address), problem))
            continue
        if address in seen_addresses:
            errors.append("%s: node address %s is already the address of %s" % (label, address, seen_addresses[address]))
        seen_addresses[address] = label
        if own and address not in own:
            errors.append("%s: node address %s is not one of the host's addresses (%s), so the other nodes "
                          "could never reach it" % (label, address, ", ".join(own)))
        network = member_network(address, member.get("host_networks"))
        if network is None:
            network = str(ipaddress.ip_network(address))
            if member.get("host_networks"):
                warnings.append("%s: no interface of the host carries node address %s, so its network is unknown; "
                                "only the address itself counts as the cluster's network" % (label, address))
        if network not in cluster_networks:
            cluster_networks.append(network)

    for key, values in sorted(cluster_wide.items()):
        distinct = sorted(set(str(v) for _l, v in values))
        if len(distinct) > 1:
            errors.append("%s differs between the nodes (%s); expected the same value on every node"
                          % (key, ", ".join("%s: %s" % (lbl, _describe(v)) for lbl, v in values)))

    client_networks = []
    for source in client_sources:
        bad = control_characters(str(source))
        try:
            if bad:
                raise ValueError
            network = ipaddress.ip_network(str(source), strict=False)
        except ValueError:
            errors.append("client source %s is not an address or a network (CIDR)" % _describe(source))
            continue
        if network.prefixlen == 0:
            if not allow_world_clients:
                errors.append("client source %s (galera_cluster_firewall_client_sources) opens the client ports to "
                              "every address; list the networks of the clients, or set "
                              "galera_cluster_firewall_allow_world: true to mean it" % network)
                continue
            warnings.append("client source %s opens the database and clustercheck ports to every address "
                            "(galera_cluster_firewall_allow_world is true)" % network)
        if str(network) not in client_networks:
            client_networks.append(str(network))

    size = len(members)
    if size == 1:
        warnings.append("the cluster has a single node: no redundancy, and no quorum to keep when it fails")
    elif size % 2 == 0:
        warnings.append("the cluster has an even number of nodes (%d): when half of them fail the rest lose quorum "
                        "and stop; add a node or a Galera arbitrator (garbd)" % size)

    result["cluster_address"] = "gcomm://" + ",".join(_bracketed(m.get("address")) for m in members)
    result["cluster_networks"] = cluster_networks
    result["client_networks"] = client_networks
    return result


def _bracketed(address):
    address = str(address or "")
    return "[%s]" % address if ":" in address else address
