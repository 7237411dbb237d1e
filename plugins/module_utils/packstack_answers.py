# -*- coding: utf-8 -*-
# Copyright: stackops.openstack contributors
# GNU General Public License v3.0+ (see https://www.gnu.org/licenses/gpl-3.0.txt)
"""A packstack answer file from inventory groups, settings and vaulted passwords.

packstack reads its answer file with configparser (section ``[general]``, option names
case-insensitive), runs each parameter of the services that are enabled through its
processors and validators, and writes the whole file back (comments regenerated,
unknown keys dropped, ``PW_PLACEHOLDER`` turned into 16 random hex digits). What it
accepts without a word and then gets wrong is what this code refuses before the file
changes: missing compute or network hosts (it would install on the local address),
``bridge:iface`` pairs that are malformed or name a bridge outside the bridge mappings,
``CONFIG_STORAGE_HOST`` without ``CONFIG_UNSUPPORTED=y`` (ignored), deprecated key names,
unknown keys (dropped), y/n keys with other values, the L2 agent ``linuxbridge``
(removed in packstack 26), empty passwords.

Passwords: a real password already in the file is kept; a missing one, or
``PW_PLACEHOLDER``, of a service packstack will configure is filled the way packstack
fills it (``CONFIG_DEFAULT_PASSWORD`` when set, else 16 random hex digits); passwords
given by the caller (a vault) win. Placeholders of services that are off are left alone:
packstack writes them back as placeholders, so filling them would never settle.

The edit goes through the INI engine (ini.py): only managed keys change, every other
line and comment stays. Pure functions on plain values; errors are
PackstackAnswersError naming the value and what was expected. The tables below are
packstack 26.0.0's (packstack/plugins/*.py); the integration target
tests/integration/targets/packstack_answers compares them with the installed package.
"""

from __future__ import annotations

import collections
import contextlib
import io
import ipaddress
import logging
import os
import re
import secrets
import tempfile

from ansible_collections.stackops.openstack.plugins.module_utils import ini

SECTION = "general"
PLACEHOLDER = "PW_PLACEHOLDER"
VALIDATE = ("none", "packstack")
PACKSTACK_VERSION = "26.0.0"

# The parameters of packstack 26.0.0 it reads whatever the other answers say, in the order it writes
# them; with the keys of READ_WHEN (below) they are all 292 (KNOWN_KEYS).
ALWAYS_READ_KEYS = (
    "CONFIG_SSH_KEY", "CONFIG_DEFAULT_PASSWORD", "CONFIG_SERVICE_WORKERS", "CONFIG_MARIADB_INSTALL",
    "CONFIG_GLANCE_INSTALL", "CONFIG_CINDER_INSTALL", "CONFIG_MANILA_INSTALL", "CONFIG_NOVA_INSTALL",
    "CONFIG_NEUTRON_INSTALL", "CONFIG_HORIZON_INSTALL", "CONFIG_SWIFT_INSTALL", "CONFIG_CEILOMETER_INSTALL",
    "CONFIG_AODH_INSTALL", "CONFIG_HEAT_INSTALL", "CONFIG_MAGNUM_INSTALL", "CONFIG_TROVE_INSTALL",
    "CONFIG_IRONIC_INSTALL", "CONFIG_CLIENT_INSTALL", "CONFIG_NTP_SERVERS", "EXCLUDE_SERVERS", "CONFIG_DEBUG_MODE",
    "CONFIG_CONTROLLER_HOST", "CONFIG_COMPUTE_HOSTS", "CONFIG_NETWORK_HOSTS", "CONFIG_VMWARE_BACKEND",
    "CONFIG_UNSUPPORTED", "CONFIG_USE_SUBNETS", "CONFIG_REPO", "CONFIG_ENABLE_RDO_TESTING", "CONFIG_RH_USER",
    "CONFIG_SATELLITE_URL", "CONFIG_RH_SAT6_SERVER", "CONFIG_RH_PW", "CONFIG_RH_OPTIONAL", "CONFIG_RH_PROXY",
    "CONFIG_RH_SAT6_ORG", "CONFIG_RH_SAT6_KEY", "CONFIG_RH_PROXY_PORT", "CONFIG_RH_PROXY_USER", "CONFIG_RH_PROXY_PW",
    "CONFIG_SATELLITE_USER", "CONFIG_SATELLITE_PW", "CONFIG_SATELLITE_AKEY", "CONFIG_SATELLITE_CACERT",
    "CONFIG_SATELLITE_PROFILE", "CONFIG_SATELLITE_FLAGS", "CONFIG_SATELLITE_PROXY", "CONFIG_SATELLITE_PROXY_USER",
    "CONFIG_SATELLITE_PROXY_PW", "CONFIG_SSL_CACERT_FILE", "CONFIG_SSL_CACERT_KEY_FILE", "CONFIG_SSL_CERT_DIR",
    "CONFIG_SSL_CACERT_SELFSIGN", "CONFIG_SSL_CERT_SUBJECT_C", "CONFIG_SSL_CERT_SUBJECT_ST",
    "CONFIG_SSL_CERT_SUBJECT_L", "CONFIG_SSL_CERT_SUBJECT_O", "CONFIG_SSL_CERT_SUBJECT_OU",
    "CONFIG_SSL_CERT_SUBJECT_CN", "CONFIG_SSL_CERT_SUBJECT_MAIL", "CONFIG_AMQP_BACKEND", "CONFIG_AMQP_HOST",
    "CONFIG_AMQP_ENABLE_SSL", "CONFIG_AMQP_ENABLE_AUTH", "CONFIG_MARIADB_HOST", "CONFIG_MARIADB_USER",
    "CONFIG_MARIADB_PW", "CONFIG_KEYSTONE_DB_PW", "CONFIG_KEYSTONE_FERNET_TOKEN_ROTATE_ENABLE",
    "CONFIG_KEYSTONE_REGION", "CONFIG_KEYSTONE_ADMIN_EMAIL", "CONFIG_KEYSTONE_ADMIN_USERNAME",
    "CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_KEYSTONE_DEMO_PW", "CONFIG_KEYSTONE_API_VERSION",
    "CONFIG_KEYSTONE_TOKEN_FORMAT", "CONFIG_KEYSTONE_IDENTITY_BACKEND", "CONFIG_PROVISION_DEMO",
    "CONFIG_PROVISION_TEMPEST"
)
# y/n keys checked by validate_options against ['y', 'n'] (anything else, or empty, is refused here).
YES_NO_KEYS = frozenset((
    "CONFIG_MARIADB_INSTALL", "CONFIG_GLANCE_INSTALL", "CONFIG_CINDER_INSTALL", "CONFIG_MANILA_INSTALL",
    "CONFIG_NOVA_INSTALL", "CONFIG_NEUTRON_INSTALL", "CONFIG_HORIZON_INSTALL", "CONFIG_SWIFT_INSTALL",
    "CONFIG_CEILOMETER_INSTALL", "CONFIG_AODH_INSTALL", "CONFIG_HEAT_INSTALL", "CONFIG_MAGNUM_INSTALL",
    "CONFIG_TROVE_INSTALL", "CONFIG_IRONIC_INSTALL", "CONFIG_CLIENT_INSTALL", "CONFIG_DEBUG_MODE",
    "CONFIG_VMWARE_BACKEND", "CONFIG_UNSUPPORTED", "CONFIG_USE_SUBNETS", "CONFIG_ENABLE_RDO_TESTING",
    "CONFIG_RH_OPTIONAL", "CONFIG_SSL_CACERT_SELFSIGN", "CONFIG_AMQP_ENABLE_SSL", "CONFIG_AMQP_ENABLE_AUTH",
    "CONFIG_KEYSTONE_LDAP_USER_ENABLED_INVERT", "CONFIG_KEYSTONE_LDAP_USE_TLS", "CONFIG_CINDER_VOLUMES_CREATE",
    "CONFIG_NOVA_MANAGE_FLAVORS", "CONFIG_NEUTRON_METERING_AGENT_INSTALL", "CONFIG_NEUTRON_VPNAAS",
    "CONFIG_HORIZON_SSL", "CONFIG_HEAT_CFN_INSTALL", "CONFIG_PROVISION_DEMO", "CONFIG_PROVISION_TEMPEST",
    "CONFIG_RUN_TEMPEST", "CONFIG_PROVISION_OVS_BRIDGE", "CONFIG_ENABLE_CEILOMETER_MIDDLEWARE"
))
# y/n keys run through process_bool: packstack writes them back as True/False.
BOOL_KEYS = frozenset((
    "CONFIG_KEYSTONE_FERNET_TOKEN_ROTATE_ENABLE", "CONFIG_CINDER_DB_PURGE_ENABLE", "CONFIG_NOVA_DB_PURGE_ENABLE"
))
# Passwords whose default is PW_PLACEHOLDER (process_password generates them).
GENERATED_PASSWORDS = frozenset((
    "CONFIG_AMQP_AUTH_PASSWORD", "CONFIG_MARIADB_PW", "CONFIG_KEYSTONE_DB_PW", "CONFIG_KEYSTONE_ADMIN_PW",
    "CONFIG_KEYSTONE_DEMO_PW", "CONFIG_GLANCE_DB_PW", "CONFIG_GLANCE_KS_PW", "CONFIG_CINDER_DB_PW",
    "CONFIG_CINDER_KS_PW", "CONFIG_IRONIC_DB_PW", "CONFIG_IRONIC_KS_PW", "CONFIG_NOVA_DB_PW", "CONFIG_NOVA_KS_PW",
    "CONFIG_NEUTRON_KS_PW", "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_METADATA_PW", "CONFIG_MANILA_DB_PW",
    "CONFIG_MANILA_KS_PW", "CONFIG_SWIFT_KS_PW", "CONFIG_HEAT_DB_PW", "CONFIG_HEAT_KS_PW",
    "CONFIG_HEAT_DOMAIN_PASSWORD", "CONFIG_PROVISION_TEMPEST_USER_PW", "CONFIG_GNOCCHI_DB_PW", "CONFIG_GNOCCHI_KS_PW",
    "CONFIG_CEILOMETER_KS_PW", "CONFIG_AODH_KS_PW", "CONFIG_AODH_DB_PW", "CONFIG_TROVE_DB_PW", "CONFIG_TROVE_KS_PW",
    "CONFIG_MAGNUM_DB_PW", "CONFIG_MAGNUM_KS_PW"
))
# Parameters packstack masks (MASK_INPUT): never shown in a diff, a change list or a message.
MASKED_KEYS = frozenset((
    "CONFIG_DEFAULT_PASSWORD", "CONFIG_VCENTER_PASSWORD", "CONFIG_RH_PW", "CONFIG_RH_PROXY", "CONFIG_RH_PROXY_USER",
    "CONFIG_RH_PROXY_PW", "CONFIG_SATELLITE_PW", "CONFIG_SATELLITE_AKEY", "CONFIG_SATELLITE_CACERT",
    "CONFIG_SATELLITE_PROFILE", "CONFIG_SATELLITE_FLAGS", "CONFIG_SATELLITE_PROXY", "CONFIG_SATELLITE_PROXY_USER",
    "CONFIG_SATELLITE_PROXY_PW", "CONFIG_AMQP_AUTH_PASSWORD", "CONFIG_MARIADB_PW", "CONFIG_KEYSTONE_DB_PW",
    "CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_KEYSTONE_DEMO_PW", "CONFIG_KEYSTONE_LDAP_USER_PASSWORD",
    "CONFIG_GLANCE_DB_PW", "CONFIG_GLANCE_KS_PW", "CONFIG_CINDER_DB_PW", "CONFIG_CINDER_KS_PW",
    "CONFIG_CINDER_NETAPP_PASSWORD", "CONFIG_CINDER_NETAPP_SA_PASSWORD", "CONFIG_CINDER_SOLIDFIRE_PASSWORD",
    "CONFIG_IRONIC_DB_PW", "CONFIG_IRONIC_KS_PW", "CONFIG_NOVA_DB_PW", "CONFIG_NOVA_KS_PW", "CONFIG_NEUTRON_KS_PW",
    "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_METADATA_PW", "CONFIG_MANILA_DB_PW", "CONFIG_MANILA_KS_PW",
    "CONFIG_MANILA_NETAPP_PASSWORD", "CONFIG_MANILA_GLUSTERFS_NATIVE_PATH_TO_PRIVATE_KEY",
    "CONFIG_HORIZON_SECRET_KEY", "CONFIG_SWIFT_KS_PW", "CONFIG_SWIFT_HASH", "CONFIG_HEAT_DB_PW",
    "CONFIG_HEAT_AUTH_ENC_KEY", "CONFIG_HEAT_KS_PW", "CONFIG_HEAT_DOMAIN_PASSWORD",
    "CONFIG_PROVISION_TEMPEST_USER_PW", "CONFIG_GNOCCHI_DB_PW", "CONFIG_GNOCCHI_KS_PW", "CONFIG_CEILOMETER_SECRET",
    "CONFIG_CEILOMETER_KS_PW", "CONFIG_AODH_KS_PW", "CONFIG_AODH_DB_PW", "CONFIG_TROVE_DB_PW", "CONFIG_TROVE_KS_PW",
    "CONFIG_TROVE_NOVA_PW", "CONFIG_MAGNUM_DB_PW", "CONFIG_MAGNUM_KS_PW"
))
# Old name -> the parameter that replaced it (DEPRECATES).
DEPRECATED_KEYS = {
    "CONFIG_AMQP_SERVER": "CONFIG_AMQP_BACKEND",
    "CONFIG_CEILOMETER_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_CINDER_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_GLANCE_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_HEAT_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_HORIZON_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_IRONIC_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_KEYSTONE_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_MYSQL_HOST": "CONFIG_MARIADB_HOST",
    "CONFIG_MYSQL_INSTALL": "CONFIG_MARIADB_INSTALL",
    "CONFIG_MYSQL_PW": "CONFIG_MARIADB_PW",
    "CONFIG_MYSQL_USER": "CONFIG_MARIADB_USER",
    "CONFIG_NAGIOS_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_NEUTRON_DHCP_HOSTS": "CONFIG_NETWORK_HOSTS",
    "CONFIG_NEUTRON_L3_HOSTS": "CONFIG_NETWORK_HOSTS",
    "CONFIG_NEUTRON_METADATA_HOSTS": "CONFIG_NETWORK_HOSTS",
    "CONFIG_NEUTRON_SERVER_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_NOVA_API_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_NOVA_CERT_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_NOVA_COMPUTE_HOSTS": "CONFIG_COMPUTE_HOSTS",
    "CONFIG_NOVA_NETWORK_HOSTS": "CONFIG_NETWORK_HOSTS",
    "CONFIG_NOVA_SCHED_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_NOVA_VNCPROXY_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_OSCLIENT_HOST": "CONFIG_CONTROLLER_HOST",
    "CONFIG_PROVISION_ALL_IN_ONE_OVS_BRIDGE": "CONFIG_PROVISION_OVS_BRIDGE",
    "CONFIG_REDIS_MASTER_HOST": "CONFIG_REDIS_HOST",
    "CONFIG_SELFSIGN_CACERT_SUBJECT_C": "CONFIG_SSL_CERT_SUBJECT_C",
    "CONFIG_SELFSIGN_CACERT_SUBJECT_CN": "CONFIG_SSL_CERT_SUBJECT_CN",
    "CONFIG_SELFSIGN_CACERT_SUBJECT_L": "CONFIG_SSL_CERT_SUBJECT_L",
    "CONFIG_SELFSIGN_CACERT_SUBJECT_MAIL": "CONFIG_SSL_CERT_SUBJECT_MAIL",
    "CONFIG_SELFSIGN_CACERT_SUBJECT_O": "CONFIG_SSL_CERT_SUBJECT_O",
    "CONFIG_SELFSIGN_CACERT_SUBJECT_OU": "CONFIG_SSL_CERT_SUBJECT_OU",
    "CONFIG_SELFSIGN_CACERT_SUBJECT_ST": "CONFIG_SSL_CERT_SUBJECT_ST",
    "CONFIG_SSL_CACHAIN": "CONFIG_HORIZON_SSL_CACERT",
    "CONFIG_SSL_CERT": "CONFIG_HORIZON_SSL_CERT",
    "CONFIG_SSL_KEY": "CONFIG_HORIZON_SSL_KEY",
    "CONFIG_SWIFT_PROXY_HOSTS": "CONFIG_CONTROLLER_HOST",
    "CONFIG_SWIFT_STORAGE_HOSTS": "CONFIG_SWIFT_STORAGES",
    "CONFIG_VCENTER_CLUSTER_NAME": "CONFIG_VCENTER_CLUSTER_NAMES",
}

# Secrets packstack generates once as a random default when the key is missing (the length
# in hex digits); a missing one would get a new value on every packstack run.
RANDOM_DEFAULTS = collections.OrderedDict((
    ("CONFIG_SWIFT_HASH", 16),
    ("CONFIG_HEAT_AUTH_ENC_KEY", 16),
    ("CONFIG_CEILOMETER_SECRET", 16),
    ("CONFIG_HORIZON_SECRET_KEY", 32),
))

# The y/n keys that must all be y for packstack to read (and keep) a service's secrets.
SERVICE_CONDITIONS = (
    (("CONFIG_AMQP_AUTH_PASSWORD",), ("CONFIG_AMQP_ENABLE_AUTH",)),
    (("CONFIG_MARIADB_PW", "CONFIG_KEYSTONE_DB_PW", "CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_KEYSTONE_DEMO_PW"), ()),
    (("CONFIG_GLANCE_DB_PW", "CONFIG_GLANCE_KS_PW"), ("CONFIG_GLANCE_INSTALL",)),
    (("CONFIG_CINDER_DB_PW", "CONFIG_CINDER_KS_PW"), ("CONFIG_CINDER_INSTALL",)),
    (("CONFIG_IRONIC_DB_PW", "CONFIG_IRONIC_KS_PW"), ("CONFIG_IRONIC_INSTALL",)),
    (("CONFIG_NOVA_DB_PW", "CONFIG_NOVA_KS_PW"), ("CONFIG_NOVA_INSTALL",)),
    (("CONFIG_NEUTRON_KS_PW", "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_METADATA_PW"), ("CONFIG_NEUTRON_INSTALL",)),
    (("CONFIG_MANILA_DB_PW", "CONFIG_MANILA_KS_PW"), ("CONFIG_MANILA_INSTALL",)),
    (("CONFIG_HORIZON_SECRET_KEY",), ("CONFIG_HORIZON_INSTALL",)),
    (("CONFIG_SWIFT_KS_PW", "CONFIG_SWIFT_HASH"), ("CONFIG_SWIFT_INSTALL",)),
    (("CONFIG_HEAT_DB_PW", "CONFIG_HEAT_KS_PW", "CONFIG_HEAT_DOMAIN_PASSWORD", "CONFIG_HEAT_AUTH_ENC_KEY"),
     ("CONFIG_HEAT_INSTALL",)),
    (("CONFIG_PROVISION_TEMPEST_USER_PW",), ("CONFIG_PROVISION_TEMPEST",)),
    (("CONFIG_GNOCCHI_DB_PW", "CONFIG_GNOCCHI_KS_PW"), ("CONFIG_CEILOMETER_INSTALL",)),
    (("CONFIG_CEILOMETER_KS_PW", "CONFIG_CEILOMETER_SECRET"), ("CONFIG_CEILOMETER_INSTALL",)),
    (("CONFIG_AODH_KS_PW", "CONFIG_AODH_DB_PW"), ("CONFIG_CEILOMETER_INSTALL", "CONFIG_AODH_INSTALL")),
    (("CONFIG_TROVE_DB_PW", "CONFIG_TROVE_KS_PW"), ("CONFIG_TROVE_INSTALL",)),
    (("CONFIG_MAGNUM_DB_PW", "CONFIG_MAGNUM_KS_PW"), ("CONFIG_MAGNUM_INSTALL",)),
)
_CONDITION = dict((key, needs) for keys, needs in SERVICE_CONDITIONS for key in keys)

# packstack's defaults for the keys the checks below read when the file lacks them.
DEFAULTS = {
    "CONFIG_DEFAULT_PASSWORD": "", "CONFIG_UNSUPPORTED": "n", "CONFIG_AMQP_ENABLE_AUTH": "n",
    "CONFIG_MARIADB_INSTALL": "y", "CONFIG_GLANCE_INSTALL": "y", "CONFIG_CINDER_INSTALL": "y",
    "CONFIG_MANILA_INSTALL": "n", "CONFIG_NOVA_INSTALL": "y", "CONFIG_NEUTRON_INSTALL": "y",
    "CONFIG_HORIZON_INSTALL": "y", "CONFIG_SWIFT_INSTALL": "y", "CONFIG_CEILOMETER_INSTALL": "y",
    "CONFIG_AODH_INSTALL": "y", "CONFIG_HEAT_INSTALL": "n", "CONFIG_MAGNUM_INSTALL": "n", "CONFIG_TROVE_INSTALL": "n",
    "CONFIG_IRONIC_INSTALL": "n", "CONFIG_PROVISION_TEMPEST": "n", "CONFIG_CEILOMETER_COORDINATION_BACKEND": "redis",
    "CONFIG_NEUTRON_L2_AGENT": "ovn", "CONFIG_TROVE_NOVA_USER": "trove",
    "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS": "extnet:br-ex", "CONFIG_NEUTRON_OVN_BRIDGE_MAPPINGS": "extnet:br-ex",
    "CONFIG_NEUTRON_OVS_EXTERNAL_PHYSNET": "extnet", "CONFIG_NEUTRON_OVN_EXTERNAL_PHYSNET": "extnet",
    "CONFIG_VMWARE_BACKEND": "n", "CONFIG_KEYSTONE_IDENTITY_BACKEND": "sql", "CONFIG_HORIZON_SSL": "n",
    "CONFIG_PROVISION_DEMO": "y",
}

# The keys packstack reads only under a condition of other keys (its groups' pre-conditions;
# for the cinder and manila back-end groups only the install flag). A setting under a false
# condition is dropped: packstack writes its default back.
READ_WHEN = (
    ((("CONFIG_AMQP_ENABLE_AUTH", "y"),), (
        "CONFIG_AMQP_AUTH_USER", "CONFIG_AMQP_AUTH_PASSWORD"
    )),
    ((("CONFIG_CEILOMETER_COORDINATION_BACKEND", "redis"),), (
        "CONFIG_REDIS_HOST", "CONFIG_REDIS_PORT"
    )),
    ((("CONFIG_CEILOMETER_INSTALL", "y"),), (
        "CONFIG_GNOCCHI_DB_PW", "CONFIG_GNOCCHI_KS_PW", "CONFIG_CEILOMETER_SECRET", "CONFIG_CEILOMETER_KS_PW",
        "CONFIG_CEILOMETER_COORDINATION_BACKEND", "CONFIG_ENABLE_CEILOMETER_MIDDLEWARE"
    )),
    ((("CONFIG_CEILOMETER_INSTALL", "y"), ("CONFIG_AODH_INSTALL", "y")), (
        "CONFIG_AODH_KS_PW", "CONFIG_AODH_DB_PW"
    )),
    ((("CONFIG_CINDER_INSTALL", "y"),), (
        "CONFIG_CINDER_DB_PW", "CONFIG_CINDER_DB_PURGE_ENABLE", "CONFIG_CINDER_KS_PW", "CONFIG_CINDER_BACKEND",
        "CONFIG_CINDER_VOLUMES_CREATE", "CONFIG_CINDER_VOLUME_NAME", "CONFIG_CINDER_VOLUMES_SIZE",
        "CONFIG_CINDER_NFS_MOUNTS", "CONFIG_CINDER_NETAPP_LOGIN", "CONFIG_CINDER_NETAPP_PASSWORD",
        "CONFIG_CINDER_NETAPP_HOSTNAME", "CONFIG_CINDER_NETAPP_SERVER_PORT", "CONFIG_CINDER_NETAPP_STORAGE_FAMILY",
        "CONFIG_CINDER_NETAPP_TRANSPORT_TYPE", "CONFIG_CINDER_NETAPP_STORAGE_PROTOCOL",
        "CONFIG_CINDER_NETAPP_SIZE_MULTIPLIER", "CONFIG_CINDER_NETAPP_EXPIRY_THRES_MINUTES",
        "CONFIG_CINDER_NETAPP_THRES_AVL_SIZE_PERC_START", "CONFIG_CINDER_NETAPP_THRES_AVL_SIZE_PERC_STOP",
        "CONFIG_CINDER_NETAPP_NFS_SHARES", "CONFIG_CINDER_NETAPP_NFS_SHARES_CONFIG",
        "CONFIG_CINDER_NETAPP_VOLUME_LIST", "CONFIG_CINDER_NETAPP_VFILER",
        "CONFIG_CINDER_NETAPP_PARTNER_BACKEND_NAME", "CONFIG_CINDER_NETAPP_VSERVER",
        "CONFIG_CINDER_NETAPP_CONTROLLER_IPS", "CONFIG_CINDER_NETAPP_SA_PASSWORD",
        "CONFIG_CINDER_NETAPP_ESERIES_HOST_TYPE", "CONFIG_CINDER_NETAPP_WEBSERVICE_PATH",
        "CONFIG_CINDER_NETAPP_STORAGE_POOLS", "CONFIG_CINDER_SOLIDFIRE_LOGIN", "CONFIG_CINDER_SOLIDFIRE_PASSWORD",
        "CONFIG_CINDER_SOLIDFIRE_HOSTNAME"
    )),
    ((("CONFIG_GLANCE_INSTALL", "y"),), (
        "CONFIG_GLANCE_DB_PW", "CONFIG_GLANCE_KS_PW", "CONFIG_GLANCE_BACKEND"
    )),
    ((("CONFIG_HEAT_INSTALL", "y"),), (
        "CONFIG_HEAT_DB_PW", "CONFIG_HEAT_AUTH_ENC_KEY", "CONFIG_HEAT_KS_PW", "CONFIG_HEAT_CFN_INSTALL",
        "CONFIG_HEAT_DOMAIN", "CONFIG_HEAT_DOMAIN_ADMIN", "CONFIG_HEAT_DOMAIN_PASSWORD"
    )),
    ((("CONFIG_HORIZON_INSTALL", "y"),), (
        "CONFIG_HORIZON_SSL", "CONFIG_HORIZON_SECRET_KEY"
    )),
    ((("CONFIG_HORIZON_SSL", "y"),), (
        "CONFIG_HORIZON_SSL_CERT", "CONFIG_HORIZON_SSL_KEY", "CONFIG_HORIZON_SSL_CACERT"
    )),
    ((("CONFIG_IRONIC_INSTALL", "y"),), (
        "CONFIG_IRONIC_DB_PW", "CONFIG_IRONIC_KS_PW"
    )),
    ((("CONFIG_KEYSTONE_IDENTITY_BACKEND", "ldap"),), (
        "CONFIG_KEYSTONE_LDAP_URL", "CONFIG_KEYSTONE_LDAP_USER_DN", "CONFIG_KEYSTONE_LDAP_USER_PASSWORD",
        "CONFIG_KEYSTONE_LDAP_SUFFIX", "CONFIG_KEYSTONE_LDAP_QUERY_SCOPE", "CONFIG_KEYSTONE_LDAP_PAGE_SIZE",
        "CONFIG_KEYSTONE_LDAP_USER_SUBTREE", "CONFIG_KEYSTONE_LDAP_USER_FILTER",
        "CONFIG_KEYSTONE_LDAP_USER_OBJECTCLASS", "CONFIG_KEYSTONE_LDAP_USER_ID_ATTRIBUTE",
        "CONFIG_KEYSTONE_LDAP_USER_NAME_ATTRIBUTE", "CONFIG_KEYSTONE_LDAP_USER_MAIL_ATTRIBUTE",
        "CONFIG_KEYSTONE_LDAP_USER_ENABLED_ATTRIBUTE", "CONFIG_KEYSTONE_LDAP_USER_ENABLED_MASK",
        "CONFIG_KEYSTONE_LDAP_USER_ENABLED_DEFAULT", "CONFIG_KEYSTONE_LDAP_USER_ENABLED_INVERT",
        "CONFIG_KEYSTONE_LDAP_USER_ATTRIBUTE_IGNORE", "CONFIG_KEYSTONE_LDAP_USER_DEFAULT_PROJECT_ID_ATTRIBUTE",
        "CONFIG_KEYSTONE_LDAP_USER_PASS_ATTRIBUTE", "CONFIG_KEYSTONE_LDAP_USER_ENABLED_EMULATION_DN",
        "CONFIG_KEYSTONE_LDAP_USER_ADDITIONAL_ATTRIBUTE_MAPPING", "CONFIG_KEYSTONE_LDAP_GROUP_SUBTREE",
        "CONFIG_KEYSTONE_LDAP_GROUP_FILTER", "CONFIG_KEYSTONE_LDAP_GROUP_OBJECTCLASS",
        "CONFIG_KEYSTONE_LDAP_GROUP_ID_ATTRIBUTE", "CONFIG_KEYSTONE_LDAP_GROUP_NAME_ATTRIBUTE",
        "CONFIG_KEYSTONE_LDAP_GROUP_MEMBER_ATTRIBUTE", "CONFIG_KEYSTONE_LDAP_GROUP_DESC_ATTRIBUTE",
        "CONFIG_KEYSTONE_LDAP_GROUP_ATTRIBUTE_IGNORE", "CONFIG_KEYSTONE_LDAP_GROUP_ADDITIONAL_ATTRIBUTE_MAPPING",
        "CONFIG_KEYSTONE_LDAP_USE_TLS", "CONFIG_KEYSTONE_LDAP_TLS_CACERTDIR", "CONFIG_KEYSTONE_LDAP_TLS_CACERTFILE",
        "CONFIG_KEYSTONE_LDAP_TLS_REQ_CERT"
    )),
    ((("CONFIG_MAGNUM_INSTALL", "y"),), (
        "CONFIG_MAGNUM_DB_PW", "CONFIG_MAGNUM_KS_PW"
    )),
    ((("CONFIG_MANILA_INSTALL", "y"),), (
        "CONFIG_MANILA_DB_PW", "CONFIG_MANILA_KS_PW", "CONFIG_MANILA_BACKEND",
        "CONFIG_MANILA_NETAPP_DRV_HANDLES_SHARE_SERVERS", "CONFIG_MANILA_NETAPP_TRANSPORT_TYPE",
        "CONFIG_MANILA_NETAPP_LOGIN", "CONFIG_MANILA_NETAPP_PASSWORD", "CONFIG_MANILA_NETAPP_SERVER_HOSTNAME",
        "CONFIG_MANILA_NETAPP_STORAGE_FAMILY", "CONFIG_MANILA_NETAPP_SERVER_PORT",
        "CONFIG_MANILA_NETAPP_AGGREGATE_NAME_SEARCH_PATTERN", "CONFIG_MANILA_NETAPP_ROOT_VOLUME_AGGREGATE",
        "CONFIG_MANILA_NETAPP_ROOT_VOLUME_NAME", "CONFIG_MANILA_NETAPP_VSERVER",
        "CONFIG_MANILA_GENERIC_DRV_HANDLES_SHARE_SERVERS", "CONFIG_MANILA_GENERIC_VOLUME_NAME_TEMPLATE",
        "CONFIG_MANILA_GENERIC_SHARE_MOUNT_PATH", "CONFIG_MANILA_SERVICE_IMAGE_LOCATION",
        "CONFIG_MANILA_SERVICE_INSTANCE_USER", "CONFIG_MANILA_SERVICE_INSTANCE_PASSWORD",
        "CONFIG_MANILA_NETWORK_TYPE", "CONFIG_MANILA_NETWORK_STANDALONE_GATEWAY",
        "CONFIG_MANILA_NETWORK_STANDALONE_NETMASK", "CONFIG_MANILA_NETWORK_STANDALONE_SEG_ID",
        "CONFIG_MANILA_NETWORK_STANDALONE_IP_RANGE", "CONFIG_MANILA_NETWORK_STANDALONE_IP_VERSION",
        "CONFIG_MANILA_GLUSTERFS_SERVERS", "CONFIG_MANILA_GLUSTERFS_NATIVE_PATH_TO_PRIVATE_KEY",
        "CONFIG_MANILA_GLUSTERFS_VOLUME_PATTERN", "CONFIG_MANILA_GLUSTERFS_TARGET",
        "CONFIG_MANILA_GLUSTERFS_MOUNT_POINT_BASE", "CONFIG_MANILA_GLUSTERFS_NFS_SERVER_TYPE",
        "CONFIG_MANILA_GLUSTERFS_PATH_TO_PRIVATE_KEY", "CONFIG_MANILA_GLUSTERFS_GANESHA_SERVER_IP"
    )),
    ((("CONFIG_NEUTRON_INSTALL", "y"),), (
        "CONFIG_NEUTRON_KS_PW", "CONFIG_NEUTRON_DB_PW", "CONFIG_NEUTRON_L3_EXT_BRIDGE", "CONFIG_NEUTRON_METADATA_PW",
        "CONFIG_NEUTRON_METERING_AGENT_INSTALL", "CONFIG_NEUTRON_VPNAAS", "CONFIG_NEUTRON_ML2_TYPE_DRIVERS",
        "CONFIG_NEUTRON_ML2_TENANT_NETWORK_TYPES", "CONFIG_NEUTRON_ML2_MECHANISM_DRIVERS",
        "CONFIG_NEUTRON_ML2_FLAT_NETWORKS", "CONFIG_NEUTRON_ML2_VLAN_RANGES", "CONFIG_NEUTRON_ML2_TUNNEL_ID_RANGES",
        "CONFIG_NEUTRON_ML2_VXLAN_GROUP", "CONFIG_NEUTRON_ML2_VNI_RANGES", "CONFIG_NEUTRON_L2_AGENT",
        "CONFIG_NEUTRON_ML2_SRIOV_INTERFACE_MAPPINGS", "CONFIG_PROVISION_OVS_BRIDGE"
    )),
    ((("CONFIG_NEUTRON_INSTALL", "y"), ("CONFIG_NEUTRON_L2_AGENT", "openvswitch")), (
        "CONFIG_NEUTRON_OVS_BRIDGE_MAPPINGS", "CONFIG_NEUTRON_OVS_BRIDGE_IFACES",
        "CONFIG_NEUTRON_OVS_BRIDGES_COMPUTE", "CONFIG_NEUTRON_OVS_EXTERNAL_PHYSNET", "CONFIG_NEUTRON_OVS_TUNNEL_IF",
        "CONFIG_NEUTRON_OVS_TUNNEL_SUBNETS", "CONFIG_NEUTRON_OVS_VXLAN_UDP_PORT"
    )),
    ((("CONFIG_NEUTRON_INSTALL", "y"), ("CONFIG_NEUTRON_L2_AGENT", "ovn")), (
        "CONFIG_NEUTRON_OVN_BRIDGE_MAPPINGS", "CONFIG_NEUTRON_OVN_BRIDGE_IFACES",
        "CONFIG_NEUTRON_OVN_BRIDGES_COMPUTE", "CONFIG_NEUTRON_OVN_EXTERNAL_PHYSNET", "CONFIG_NEUTRON_OVN_TUNNEL_IF",
        "CONFIG_NEUTRON_OVN_TUNNEL_SUBNETS"
    )),
    ((("CONFIG_NOVA_INSTALL", "y"),), (
        "CONFIG_NOVA_DB_PURGE_ENABLE", "CONFIG_NOVA_DB_PW", "CONFIG_NOVA_KS_PW", "CONFIG_NOVA_MANAGE_FLAVORS",
        "CONFIG_NOVA_SCHED_CPU_ALLOC_RATIO", "CONFIG_NOVA_SCHED_RAM_ALLOC_RATIO",
        "CONFIG_NOVA_COMPUTE_MIGRATE_PROTOCOL", "CONFIG_VNC_SSL_CERT", "CONFIG_VNC_SSL_KEY", "CONFIG_NOVA_PCI_ALIAS",
        "CONFIG_NOVA_PCI_PASSTHROUGH_WHITELIST", "CONFIG_NOVA_LIBVIRT_VIRT_TYPE"
    )),
    ((("CONFIG_NOVA_INSTALL", "y"), ("CONFIG_VMWARE_BACKEND", "y")), (
        "CONFIG_VCENTER_HOST", "CONFIG_VCENTER_USER", "CONFIG_VCENTER_PASSWORD", "CONFIG_VCENTER_CLUSTER_NAMES"
    )),
    ((("CONFIG_PROVISION_DEMO", "y"),), (
        "CONFIG_PROVISION_DEMO_FLOATRANGE", "CONFIG_PROVISION_DEMO_ALLOCATION_POOLS", "CONFIG_PROVISION_IMAGE_NAME",
        "CONFIG_PROVISION_IMAGE_URL", "CONFIG_PROVISION_IMAGE_FORMAT", "CONFIG_PROVISION_IMAGE_PROPERTIES",
        "CONFIG_PROVISION_IMAGE_SSH_USER"
    )),
    ((("CONFIG_PROVISION_TEMPEST", "y"),), (
        "CONFIG_TEMPEST_HOST", "CONFIG_PROVISION_TEMPEST_USER", "CONFIG_PROVISION_TEMPEST_USER_PW",
        "CONFIG_PROVISION_TEMPEST_FLOATRANGE", "CONFIG_PROVISION_TEMPEST_FLAVOR_NAME",
        "CONFIG_PROVISION_TEMPEST_FLAVOR_DISK", "CONFIG_PROVISION_TEMPEST_FLAVOR_RAM",
        "CONFIG_PROVISION_TEMPEST_FLAVOR_VCPUS", "CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_NAME",
        "CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_DISK", "CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_RAM",
        "CONFIG_PROVISION_TEMPEST_FLAVOR_ALT_VCPUS", "CONFIG_RUN_TEMPEST", "CONFIG_RUN_TEMPEST_TESTS",
        "CONFIG_SKIP_TEMPEST_TESTS"
    )),
    ((("CONFIG_SWIFT_INSTALL", "y"),), (
        "CONFIG_SWIFT_KS_PW", "CONFIG_SWIFT_STORAGES", "CONFIG_SWIFT_STORAGE_ZONES", "CONFIG_SWIFT_STORAGE_REPLICAS",
        "CONFIG_SWIFT_STORAGE_FSTYPE", "CONFIG_SWIFT_HASH", "CONFIG_SWIFT_STORAGE_SIZE"
    )),
    ((("CONFIG_TROVE_INSTALL", "y"),), (
        "CONFIG_TROVE_DB_PW", "CONFIG_TROVE_KS_PW", "CONFIG_TROVE_NOVA_USER", "CONFIG_TROVE_NOVA_TENANT",
        "CONFIG_TROVE_NOVA_PW"
    )),
    ((("CONFIG_UNSUPPORTED", "y"),), (
        "CONFIG_STORAGE_HOST",
    )),
)
_READ_WHEN = dict((key, needs) for needs, keys in READ_WHEN for key in keys)
# Every parameter of packstack 26.0.0 (292)
KNOWN_KEYS = frozenset(ALWAYS_READ_KEYS) | frozenset(_READ_WHEN)

L2_AGENTS = ("openvswitch", "ovn")
# The keys of one L2 agent; packstack reads only those of CONFIG_NEUTRON_L2_AGENT.
_AGENT_SUFFIXES = ("BRIDGE_MAPPINGS", "BRIDGE_IFACES", "BRIDGES_COMPUTE", "EXTERNAL_PHYSNET", "TUNNEL_IF",
                   "TUNNEL_SUBNETS")
_AGENT_PREFIX = {"openvswitch": "CONFIG_NEUTRON_OVS_", "ovn": "CONFIG_NEUTRON_OVN_"}

# hosts option -> answer key; what packstack's --install-hosts also puts on the controller
HOST_KEYS = collections.OrderedDict((
    ("controller", "CONFIG_CONTROLLER_HOST"),
    ("network", "CONFIG_NETWORK_HOSTS"),
    ("compute", "CONFIG_COMPUTE_HOSTS"),
    ("storage", "CONFIG_STORAGE_HOST"),
))
CONTROLLER_SERVICE_HOSTS = ("CONFIG_AMQP_HOST", "CONFIG_MARIADB_HOST", "CONFIG_REDIS_HOST")
# host lists that grow: a host added to them needs packstack on that host only (EXCLUDE_SERVERS)
GROWING_KEYS = ("CONFIG_COMPUTE_HOSTS", "CONFIG_NETWORK_HOSTS")

_KEY_RE = re.compile(r"[A-Z][A-Z0-9_]*\Z")
_HOSTNAME_RE = re.compile(r"(?=.{1,253}\Z)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
                          r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?\Z")
_TRUE = ("y", "yes", "true")
_FALSE = ("n", "no", "false")

AnswersEdit = collections.namedtuple(
    "AnswersEdit", "text hosts new_hosts exclude_servers packstack_needed answers_changed generated warnings")


class PackstackAnswersError(ValueError):
    """Input, or an answer file, packstack would refuse or silently get wrong."""


def is_secret(key):
    """True for keys whose value never leaves the module: packstack's masked ones, *_PW, *PASSWORD*."""
    name = key.upper()
    return name in MASKED_KEYS or name in RANDOM_DEFAULTS or name.endswith("_PW") or "PASSWORD" in name


def secret_predicate(section, key):  # pylint: disable=unused-argument
    """The INI engine's secret(section, key) for answer files."""
    return is_secret(key)


def random_secret(length=16):
    """A new secret as packstack makes them: lower-case hex digits (16 for passwords), never float-like."""
    while True:
        value = secrets.token_hex((length + 1) // 2)[:length]
        try:
            float(value)
        except ValueError:
            return value


def split_list(value):
    """packstack's comma-separated list: items stripped, empty ones dropped."""
    return [item.strip() for item in (value or "").split(",") if item.strip()]


def check_host(host, what):
    """An IP address or a host name packstack can connect to; returned stripped of nothing."""
    if not isinstance(host, str) or not host:
        raise PackstackAnswersError("%s is %r, expected an IP address or a host name" % (what, host))
    try:
        ipaddress.ip_address(host)
        return host
    except ValueError:
        pass
    if not _HOSTNAME_RE.match(host):
        raise PackstackAnswersError("%s is %r, expected an IP address or a host name (letters, digits, '-' and "
                                    "'.'; packstack splits its host lists on ',' and cuts a host at '/')"
                                    % (what, host))
    return host


def _host_list(value, what):
    if isinstance(value, str) or not isinstance(value, (list, tuple)):
        raise PackstackAnswersError("%s is %r, expected a list of hosts" % (what, value))
    result = []
    for index, host in enumerate(value):
        check_host(host, "%s[%d]" % (what, index))
        if host in result:
            raise PackstackAnswersError("%s lists %s twice" % (what, host))
        result.append(host)
    return result


def hosts_settings(hosts):
    """The host keys of the ``hosts`` option: {answer key: value}.

    controller, network and compute are required (packstack would put a missing one on
    the address of the machine it runs on); storage is optional.
    """
    if hosts is None:
        return collections.OrderedDict()
    if not isinstance(hosts, dict):
        raise PackstackAnswersError("hosts is %r, expected a dict with controller, network, compute and storage"
                                    % (hosts,))
    unknown = sorted(set(hosts) - set(HOST_KEYS))
    if unknown:
        raise PackstackAnswersError("hosts has %s, expected only %s" % (", ".join(unknown), ", ".join(HOST_KEYS)))
    result = collections.OrderedDict()
    if not hosts.get("controller"):
        raise PackstackAnswersError("hosts.controller is missing, expected the controller's address (one host of the "
                                    "controller group); packstack would use the address of the host it runs on")
    result["CONFIG_CONTROLLER_HOST"] = check_host(hosts["controller"], "hosts.controller")
    for role in ("network", "compute"):
        listed = _host_list(hosts.get(role) or [], "hosts.%s" % role)
        if not listed:
            raise PackstackAnswersError("hosts.%s is empty, expected at least one %s host; packstack would silently "
                                        "use the address of the host it runs on" % (role, role))
        result[HOST_KEYS[role]] = ",".join(listed)
    if hosts.get("storage"):
        result["CONFIG_STORAGE_HOST"] = check_host(hosts["storage"], "hosts.storage")
    return result


def _value_text(key, value, what):
    """A setting as the text packstack reads: y/n from booleans, lists joined with commas."""
    if isinstance(value, bool):
        if key in YES_NO_KEYS or key in BOOL_KEYS:
            return "y" if value else "n"
        raise PackstackAnswersError("%s is %r, a boolean, but %s is not a y/n key; expected text" % (what, value, key))
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (list, tuple)):
        if not all(isinstance(item, (str, int)) and not isinstance(item, bool) for item in value):
            raise PackstackAnswersError("%s is a list with an item that is not text, expected a list of strings" % what)
        return ",".join(str(item).strip() for item in value)
    if not isinstance(value, str):
        raise PackstackAnswersError("%s is %s, expected text, a number, a boolean or a list"
                                    % (what, type(value).__name__))
    if value != value.strip():
        # configparser strips what packstack reads; the file would never match
        raise PackstackAnswersError("%s starts or ends with a blank, which packstack's parser drops; expected the "
                                    "value without it" % what)
    return value


def _check_key(key, what, allow_unknown):
    if not isinstance(key, str) or not _KEY_RE.match(key):
        raise PackstackAnswersError("%s has the key %r, expected an upper-case packstack parameter name such as "
                                    "CONFIG_NOVA_INSTALL" % (what, key))
    if key in DEPRECATED_KEYS:
        raise PackstackAnswersError("%s has the deprecated key %s, expected its replacement %s (packstack %s reads "
                                    "the old name only when the new one is missing)"
                                    % (what, key, DEPRECATED_KEYS[key], PACKSTACK_VERSION))
    if key not in KNOWN_KEYS and not allow_unknown:
        raise PackstackAnswersError("%s has the key %s, which packstack %s does not know (it would drop it when it "
                                    "rewrites the file); check the name, or set allow_unknown"
                                    % (what, key, PACKSTACK_VERSION))


def normalize_settings(settings, allow_unknown=False):
    """settings as {KEY: text}; secrets refused (they belong in passwords, which is no_log)."""
    result = collections.OrderedDict()
    if settings is None:
        return result
    if not isinstance(settings, dict):
        raise PackstackAnswersError("settings is %r, expected a dict of CONFIG_* keys and values" % (settings,))
    for key, value in settings.items():
        _check_key(key, "settings", allow_unknown)
        if is_secret(key):
            raise PackstackAnswersError("settings has %s, a secret; give it in passwords (no_log) so that it never "
                                        "shows in a log" % key)
        if value is None:
            raise PackstackAnswersError("settings.%s is null, expected a value" % key)
        result[key] = _value_text(key, value, "settings.%s" % key)
    return result


def normalize_passwords(passwords, allow_unknown=False):
    """passwords as {KEY: text}; only secret keys, never empty. Messages name keys, never values."""
    result = collections.OrderedDict()
    if passwords is None:
        return result
    if not isinstance(passwords, dict):
        raise PackstackAnswersError("passwords is not a dict, expected a dict of packstack password keys")
    for key, value in passwords.items():
        _check_key(key, "passwords", allow_unknown)
        if not is_secret(key):
            raise PackstackAnswersError("passwords has %s, which is not a secret; give it in settings" % key)
        if not isinstance(value, str):
            raise PackstackAnswersError("passwords.%s is not a string, expected the password as text" % key)
        if not value and key != "CONFIG_DEFAULT_PASSWORD":
            raise PackstackAnswersError("passwords.%s is empty, expected a password (packstack refuses an empty one; "
                                        "leave the key out to keep or generate it)" % key)
        if value != value.strip():
            raise PackstackAnswersError("passwords.%s starts or ends with a blank, which packstack's parser drops"
                                        % key)
        result[key] = value
    return result


def _file_keys(doc, allow_unknown):
    """{KEY: value} of [general]; refuses what configparser would refuse or read differently."""
    values = collections.OrderedDict()
    warnings = []
    seen = {}
    for (section, key), found in doc.values().items():
        if section != SECTION:
            warnings.append("[%s] %s: packstack reads only [%s]; left as it is" % (section, key, SECTION))
            continue
        name = key.strip()
        if name.lower() in seen or len(found) > 1:
            raise PackstackAnswersError("the file sets %s more than once (as %s); packstack's parser refuses a "
                                        "repeated key: keep one" % (name, seen.get(name.lower(), name)))
        seen[name.lower()] = name
        if name != name.upper():
            raise PackstackAnswersError("the file has the key %s in lower case; expected %s, as packstack writes it "
                                        "(its parser ignores the case, this module does not)" % (name, name.upper()))
        values[name] = found[-1]
        if name in DEPRECATED_KEYS:
            warnings.append("the file has the deprecated key %s; packstack %s reads %s instead when that is set"
                            % (name, PACKSTACK_VERSION, DEPRECATED_KEYS[name]))
        elif name not in KNOWN_KEYS and not allow_unknown:
            warnings.append("the file has %s, which packstack %s does not know and drops when it rewrites the file"
                            % (name, PACKSTACK_VERSION))
    return values, warnings


def _same(key, current, wanted):
    """True when packstack reads both values alike (process_bool keys come back as True/False)."""
    if current == wanted:
        return True
    if key in BOOL_KEYS and current is not None:
        for group in (_TRUE, _FALSE):
            if current.lower() in group and wanted.lower() in group:
                return True
    return False


def _pairs(value, key, first, second):
    """The a:b items of a comma list; refuses a malformed one naming it."""
    result = []
    for item in split_list(value):
        parts = [part.strip() for part in item.split(":")]
        if len(parts) != 2 or not all(parts):
            raise PackstackAnswersError("%s has %r, expected %s:%s pairs separated by commas"
                                        % (key, item, first, second))
        result.append(tuple(parts))
    return result


def check_answers(get, managed):
    """Refuse a combination packstack would reject late or silently get wrong.

    get(key): the value packstack would read (managed value, else the file's, else its
    default, else None). managed: the keys this run sets.
    """
    required = [("CONFIG_CONTROLLER_HOST", "the controller"), ("CONFIG_NETWORK_HOSTS", "the network hosts")]
    if get("CONFIG_NOVA_INSTALL") == "y":
        required.append(("CONFIG_COMPUTE_HOSTS", "the compute hosts"))
    for key, what in required:
        if not split_list(get(key)):
            raise PackstackAnswersError("%s is missing or empty, expected %s (give hosts); packstack would silently "
                                        "use the address of the host it runs on" % (key, what))
        for index, host in enumerate(split_list(get(key))):
            check_host(host.split("/")[0], "%s[%d]" % (key, index))
    for key in sorted(YES_NO_KEYS | BOOL_KEYS):
        value = get(key)
        if value is None:
            continue
        allowed = ("y", "n") if key in YES_NO_KEYS else _TRUE + _FALSE
        if (value.lower() if key in BOOL_KEYS else value) not in allowed:
            raise PackstackAnswersError("%s is %r, expected %s" % (key, value, " or ".join(allowed[:2])
                                                                   if key in YES_NO_KEYS else "y or n"))
    if get("CONFIG_NEUTRON_INSTALL") != "y":
        raise PackstackAnswersError("CONFIG_NEUTRON_INSTALL is %r, expected y: packstack %s installs networking only "
                                    "through neutron" % (get("CONFIG_NEUTRON_INSTALL"), PACKSTACK_VERSION))
    agent = get("CONFIG_NEUTRON_L2_AGENT")
    if agent not in L2_AGENTS:
        extra = " (linuxbridge was removed)" if agent == "linuxbridge" else ""
        raise PackstackAnswersError("CONFIG_NEUTRON_L2_AGENT is %r, expected openvswitch or ovn: packstack %s supports "
                                    "no other%s" % (agent, PACKSTACK_VERSION, extra))
    prefix = _AGENT_PREFIX[agent]
    other = _AGENT_PREFIX["ovn" if agent == "openvswitch" else "openvswitch"]
    for suffix in _AGENT_SUFFIXES:
        if other + suffix in managed:
            raise PackstackAnswersError("%s is set but CONFIG_NEUTRON_L2_AGENT is %s, so packstack ignores it and "
                                        "writes its default back; expected %s" % (other + suffix, agent, prefix + suffix))
    mappings = _pairs(get(prefix + "BRIDGE_MAPPINGS"), prefix + "BRIDGE_MAPPINGS", "physnet", "bridge")
    bridges = [bridge for physnet, bridge in mappings]
    ifaces = _pairs(get(prefix + "BRIDGE_IFACES"), prefix + "BRIDGE_IFACES", "bridge", "interface")
    for bridge, iface in ifaces:
        if bridge not in bridges:
            raise PackstackAnswersError("%s has %s:%s, but the bridge %s is not in %s (%s); expected one of: %s"
                                        % (prefix + "BRIDGE_IFACES", bridge, iface, bridge, prefix + "BRIDGE_MAPPINGS",
                                           get(prefix + "BRIDGE_MAPPINGS"), ", ".join(bridges) or "none"))
    iface_bridges = [bridge for bridge, iface in ifaces]
    for bridge in split_list(get(prefix + "BRIDGES_COMPUTE")):
        if bridge not in bridges or bridge not in iface_bridges:
            raise PackstackAnswersError("%s has %s, expected a bridge of both %s and %s (packstack fails late on it)"
                                        % (prefix + "BRIDGES_COMPUTE", bridge, prefix + "BRIDGE_MAPPINGS",
                                           prefix + "BRIDGE_IFACES"))
    physnet = get(prefix + "EXTERNAL_PHYSNET")
    if physnet and mappings and physnet not in [name for name, bridge in mappings]:
        raise PackstackAnswersError("%s is %s, expected a physical network of %s (%s)"
                                    % (prefix + "EXTERNAL_PHYSNET", physnet, prefix + "BRIDGE_MAPPINGS",
                                       get(prefix + "BRIDGE_MAPPINGS")))
    if "CONFIG_STORAGE_HOST" in managed and get("CONFIG_UNSUPPORTED") != "y":
        raise PackstackAnswersError("CONFIG_STORAGE_HOST is set to %s but CONFIG_UNSUPPORTED is %r: packstack honours "
                                    "a separate storage host only with CONFIG_UNSUPPORTED=y and otherwise puts storage "
                                    "on the controller; set CONFIG_UNSUPPORTED: y, or leave the storage host out"
                                    % (get("CONFIG_STORAGE_HOST"), get("CONFIG_UNSUPPORTED")))


def service_on(get, key):
    """True when packstack reads (and keeps) this secret: its service's y/n keys are all y."""
    return all(get(needed) == "y" for needed in _CONDITION.get(key, ()))


def answer_hosts(get):
    """The hosts packstack installs, in the order of the answer keys, each once."""
    keys = ["CONFIG_CONTROLLER_HOST", "CONFIG_NETWORK_HOSTS", "CONFIG_COMPUTE_HOSTS", "CONFIG_AMQP_HOST"]
    if get("CONFIG_MARIADB_INSTALL") == "y":
        keys.append("CONFIG_MARIADB_HOST")
    if get("CONFIG_CEILOMETER_COORDINATION_BACKEND") == "redis":
        keys.append("CONFIG_REDIS_HOST")
    if get("CONFIG_UNSUPPORTED") == "y":
        keys.append("CONFIG_STORAGE_HOST")
    if get("CONFIG_PROVISION_TEMPEST") == "y":
        keys.append("CONFIG_TEMPEST_HOST")
    result = []
    for key in keys:
        for host in split_list(get(key)):
            host = host.split("/")[0]
            if host not in result:
                result.append(host)
    return result


def _reconfigures(before, after):
    """True when the edit changes more than adding hosts to CONFIG_COMPUTE_HOSTS / CONFIG_NETWORK_HOSTS."""
    for change in ini.changes(before, after, secret_predicate):
        key = change["key"]
        if key == "EXCLUDE_SERVERS":
            continue
        if key in GROWING_KEYS and change["before"] is not None and isinstance(change["after"], str):
            old, new = split_list(change["before"]), split_list(change["after"])
            if set(old) <= set(new):
                continue
        return True
    return False


def edit_answers(text, hosts=None, settings=None, passwords=None, allow_unknown=False, installed_hosts=None,
                 generate=random_secret):
    """The answer file text with the managed keys set and the missing secrets filled.

    text: the current file ("" for a new one). installed_hosts: the hosts packstack has
    already installed (None: not tracked). generate(length): a new random secret.
    Returns an AnswersEdit; ``generated`` names the secrets that were filled, never their values.
    """
    host_values = hosts_settings(hosts)
    wanted = normalize_settings(settings, allow_unknown)
    secret_values = normalize_passwords(passwords, allow_unknown)
    for key in host_values:
        if key in wanted:
            raise PackstackAnswersError("settings has %s, which hosts sets; give the host in hosts only" % key)
    if installed_hosts is not None:
        installed_hosts = _host_list(installed_hosts, "installed_hosts")
        if "EXCLUDE_SERVERS" in wanted:
            raise PackstackAnswersError("settings has EXCLUDE_SERVERS, which installed_hosts sets; give one of them")
    doc = ini.parse(text)
    current, warnings = _file_keys(doc, allow_unknown)
    if "CONFIG_CONTROLLER_HOST" in host_values:
        for key in CONTROLLER_SERVICE_HOSTS:
            if key not in wanted:
                host_values[key] = host_values["CONFIG_CONTROLLER_HOST"]
    host_values.update(wanted)
    wanted = host_values
    managed = collections.OrderedDict(wanted)
    managed.update(secret_values)

    def get(key):
        if key in managed:
            return managed[key]
        if key in current:
            return current[key]
        return DEFAULTS.get(key)

    if get("CONFIG_CEILOMETER_COORDINATION_BACKEND") != "redis" and "CONFIG_REDIS_HOST" in wanted \
            and "CONFIG_REDIS_HOST" not in (settings or {}):
        del wanted["CONFIG_REDIS_HOST"], managed["CONFIG_REDIS_HOST"]  # packstack would write its default back
    check_answers(get, managed)
    for key in settings or {}:
        unmet = [(needed, expected) for needed, expected in _READ_WHEN.get(key, ()) if get(needed) != expected]
        if unmet:
            raise PackstackAnswersError("settings has %s, which packstack reads only when %s (now %s): it would ignore "
                                        "it and write its default back; leave it out or set %s"
                                        % (key, " and ".join("%s=%s" % item for item in _READ_WHEN[key]),
                                           ", ".join("%s=%s" % (needed, get(needed)) for needed, expected in unmet),
                                           " and ".join("%s=%s" % item for item in unmet)))

    doc.add_section(SECTION)
    for key, value in wanted.items():
        if not _same(key, current.get(key), value):
            doc.set(SECTION, key, value)
    for key, value in secret_values.items():
        if key in _CONDITION and not service_on(get, key):
            warnings.append("passwords.%s was not written: its service is off (%s), and packstack would write its "
                            "placeholder back" % (key, ", ".join("%s=%s" % (need, get(need))
                                                                 for need in _CONDITION[key])))
            continue
        if current.get(key) != value:
            doc.set(SECTION, key, value)
    generated = []
    default_password = get("CONFIG_DEFAULT_PASSWORD") or ""
    for keys, unused in SERVICE_CONDITIONS:  # pylint: disable=unused-variable
        for key in keys:
            if key in secret_values or not service_on(get, key):
                continue
            value = current.get(key)
            if key in RANDOM_DEFAULTS:
                if value is None:
                    doc.set(SECTION, key, generate(RANDOM_DEFAULTS[key]))
                    generated.append(key)
                elif not value:
                    raise PackstackAnswersError("%s is empty in the file, expected a secret; set it in passwords"
                                                % key)
                continue
            if value is None or value == PLACEHOLDER:
                doc.set(SECTION, key, default_password or generate(16))
                generated.append(key)
            elif not value:
                raise PackstackAnswersError("%s is empty in the file, expected a password (packstack refuses an empty "
                                            "one): set it in passwords, or write %s to have one generated"
                                            % (key, PLACEHOLDER))
    if get("CONFIG_TROVE_INSTALL") == "y" and "CONFIG_TROVE_NOVA_PW" not in secret_values \
            and current.get("CONFIG_TROVE_NOVA_PW", PLACEHOLDER) == PLACEHOLDER and get("CONFIG_TROVE_NOVA_USER") == "trove":
        # packstack's process_trove_nova_pw: the trove user's nova password is trove's service password
        doc.set(SECTION, "CONFIG_TROVE_NOVA_PW", doc.get(SECTION, "CONFIG_TROVE_KS_PW"))
        generated.append("CONFIG_TROVE_NOVA_PW")

    answers_changed = doc.text != text
    after = dict(current)
    after.update((key, doc.get(SECTION, key)) for key in doc.options(SECTION))
    all_hosts = answer_hosts(lambda key: after.get(key, DEFAULTS.get(key)))
    new_hosts = [] if installed_hosts is None else [host for host in all_hosts if host not in installed_hosts]
    packstack_needed = answers_changed or bool(new_hosts)
    if installed_hosts is not None and packstack_needed:
        # changed answers apply to every node; hosts added to the lists need packstack only on themselves
        exclude = [] if _reconfigures(text, doc.text) else [host for host in all_hosts if host in installed_hosts]
        if (current.get("EXCLUDE_SERVERS") or "") != ",".join(exclude):
            doc.set(SECTION, "EXCLUDE_SERVERS", ",".join(exclude))
    exclude_servers = split_list(doc.get(SECTION, "EXCLUDE_SERVERS", ""))
    return AnswersEdit(doc.text, all_hosts, new_hosts, exclude_servers, packstack_needed, answers_changed, generated,
                       warnings)


# --------------------------------------------------------------------------- packstack's own validation


def mask_text(message, values):
    """message with every secret value of ``values`` replaced by the engine's mask."""
    for value in sorted((v for v in values if v and len(v) >= 3), key=len, reverse=True):
        message = message.replace(value, ini.MASK)
    return message


def packstack_validate(text, run_setup):
    """Run packstack's own processors and validators (run_setup._handleParams) on the answer text.

    run_setup: packstack.installer.run_setup, imported by the caller. Its checks are
    packstack's: host keys must accept TCP on port 22, CONFIG_SSH_KEY must be a public key
    file (refused here when missing, as packstack would create one). Returns packstack's processed parameters ({KEY: value}); a refusal raises
    PackstackAnswersError with packstack's message, secrets masked.
    """
    doc = ini.parse(text)
    secret_values = [value for (section, key), found in doc.values().items() if is_secret(key) for value in found]
    # packstack's process_ssh_key runs ssh-keygen when the key file is missing: not as a side effect of a check
    ssh_key = doc.get(SECTION, "CONFIG_SSH_KEY") or ""
    key_file = os.path.expanduser(ssh_key or "~/.ssh/id_rsa.pub")
    if not key_file.endswith(".pub"):
        key_file += ".pub"
    if not os.path.isfile(key_file):
        raise PackstackAnswersError("CONFIG_SSH_KEY is %r and %s does not exist: packstack's validation would create a "
                                    "new SSH key there; expected the public key packstack uses to reach the hosts "
                                    "(create it first)" % (ssh_key, key_file))
    handle = tempfile.NamedTemporaryFile("w", prefix=".packstack-answers.", suffix=".txt", delete=False)
    out = io.StringIO()
    previous = logging.root.manager.disable
    try:
        os.chmod(handle.name, 0o600)
        with handle:
            handle.write(text)
        logging.disable(logging.CRITICAL)
        with contextlib.redirect_stdout(out):
            if not run_setup.controller.getAllPlugins():
                run_setup.loadPlugins()
                run_setup.initPluginsConfig()
            run_setup._handleParams(handle.name)  # pylint: disable=protected-access
        return dict(run_setup.controller.CONF)
    except Exception as exc:  # packstack raises bare Exception with its message
        printed = " ".join(out.getvalue().split())
        detail = str(exc).strip() + ((" (" + printed + ")") if printed else "")
        raise PackstackAnswersError("packstack's validation refused the answers: %s" % mask_text(detail, secret_values))
    finally:
        logging.disable(previous)
        os.unlink(handle.name)
