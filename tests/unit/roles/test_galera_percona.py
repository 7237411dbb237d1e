"""The galera_cluster role's Percona XtraDB Cluster 8.0 flavor, pinned to Percona's own files.

Percona's packages cannot be installed here, so each assumption of the role is checked
against the packaging and scripts Percona publishes. Where a fact comes from, as read:

PXC  = github.com/percona/percona-xtradb-cluster. The repository (4.2 GB) could not be fetched
       whole, so no release tag could be checked out; each file was read at the commit named
       below (the stored version of the code index). Their content is the 8.0 series: galera4
       provider paths, binlog_expire_logs_seconds, no wsrep_sst_auth, and wsrep_applier_threads
       in rpm/mysqld.cnf (PXC 8.0.26 or later).
         rpm/mysql.service            061d5152c65b9d72c4793af70e0851444478616f
         rpm/mysql@.service           074bae965c9d46a20c6be6122637a78e0b41cf5c
         rpm/mysql.bootstrap          c93121b8d5145a0da25770798034d7aeb710bd17
         rpm/mysqld.cnf               09653c9b7f12b98b49852d7d9551b9edb4699ec7
         rpm/mysql-systemd            0877981dd976f7295a2ba1656499df4f425d8792
         debian/extra/mysql.service   061d5152c65b9d72c4793af70e0851444478616f
         debian/extra/mysql@.service  074bae965c9d46a20c6be6122637a78e0b41cf5c
         debian/extra/mysql.bootstrap fbb24391111f108009944b9da1ef07ba76997f13
         debian/extra/mysqld.cnf      3a62697d4b6c05e6d71695540485a79a1a5e703b
         debian/extra/mysql.cnf       bb3d4588b375b0e3fd195ad87dbf7cfbecd9d912
         debian/percona-xtradb-cluster-server.install  0e283e56a1a72367f83a7a3fffb50fb1f2246200
         debian/percona-xtradb-cluster-server.postinst 022fd1bc6612b4870bfae3a112f32316d4eb5160
       (all under build-ps/)
DOCS = github.com/percona/pxc-docs, branch 8.0 at 6c98e3377ceb2cb88998ffec7c1e173f77dabf19
REPOS = github.com/percona/percona-repositories (percona-release 1.0-32) at
        1997a0d01fa2a46dabb0d9ea139caf7586902153
DOCKER = github.com/percona/percona-docker at 5c654083c86b7563d1fbf67615e6dafc938427d1,
         percona-xtradb-cluster-8.0/Dockerfile (PXC_VERSION 8.0.43-34.1)

Run: .venv/bin/python -m pytest -q tests/unit/roles/test_galera_percona.py
"""

import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from ansible.parsing.dataloader import DataLoader
from ansible.template import Templar, trust_as_template

REPO = Path(__file__).resolve().parents[3]
ROLE = REPO / "roles" / "galera_cluster"
TASKS = ROLE / "tasks"

# DOCS encrypt-traffic.md and REPOS rpm/PERCONA-PACKAGING-KEY, deb/percona-keyring.gpg
# (fingerprint printed by `gpg --show-keys`); DOCKER imports the same fingerprint as
# PERCONA-PACKAGING-KEY before it checks percona-release's signature.
PERCONA_PACKAGING_KEY = "4D1BB29D63D98E422B2113B19334A25F8507EFA5"

HOSTS = ["db1", "db2", "db3"]
ADDRESSES = {"db1": "10.0.0.11", "db2": "10.0.0.12", "db3": "10.0.0.13"}
FACTS = {
    "RedHat": {"os_family": "RedHat", "distribution": "Rocky", "distribution_major_version": "9",
               "distribution_release": "Blue Onyx", "pkg_mgr": "dnf"},
    "Debian": {"os_family": "Debian", "distribution": "Debian", "distribution_major_version": "12",
               "distribution_release": "bookworm", "pkg_mgr": "apt"},
}


def role_templar(os_family, host="db1", **overrides):
    """A Templar holding the role's defaults and vars for one host, as the play sees them."""
    loader = DataLoader()
    variables = {}
    variables.update(loader.load_from_file(str(ROLE / "defaults" / "main.yml"), trusted_as_template=True))
    variables.update(loader.load_from_file(str(ROLE / "vars" / "main.yml"), trusted_as_template=True))
    facts = dict(FACTS[os_family], default_ipv4={"address": ADDRESSES[host]},
                 all_ipv4_addresses=[ADDRESSES[host]], all_ipv6_addresses=[])
    variables.update({
        "ansible_facts": facts,
        "galera_cluster_flavor": "percona",
        "inventory_hostname": host,
        "groups": {"galera": HOSTS},
        "ansible_managed": "Ansible managed",
        "ansible_check_mode": False,
        "_galera_cluster_preflight": {"cluster_address": "gcomm://" + ",".join(ADDRESSES.values())},
    })
    variables.update(overrides)
    return Templar(loader=loader, variables=variables)


def render(templar, text):
    return templar.template(trust_as_template(text))


def platform(os_family):
    return render(role_templar(os_family), "{{ _galera_cluster_platform }}")


def render_file(templar, path):
    return render(templar, Path(path).read_text())


def load_tasks(name):
    return yaml.safe_load((TASKS / name).read_text())


def walk(tasks):
    """Every task, blocks and rescue/always sections included."""
    for task in tasks or []:
        yield task
        for key in ("block", "rescue", "always"):
            yield from walk(task.get(key))


def find_task(tasks, module):
    found = [task for task in walk(tasks) if module in task]
    assert found, "no %s task" % module
    return found


# ---------------------------------------------------------------- units and binaries

@pytest.mark.parametrize("os_family", ["RedHat", "Debian"])
def test_service_and_bootstrap_unit(os_family):
    # PXC rpm/mysql.service and debian/extra/mysql.service: the unit is mysql.service
    # (Alias=mysqld.service). PXC */mysql@.service: "systemctl start mysql@bootstrap.service"
    # reads /etc/sysconfig|default/mysql.bootstrap, whose EXTRA_ARGS=" --wsrep-new-cluster "
    # (rpm/mysql.bootstrap, debian/extra/mysql.bootstrap). DOCS bootstrap.md: an instance
    # started with mysql@bootstrap must be stopped with the same unit.
    facts = platform(os_family)
    assert facts["service"] == "mysql"
    assert facts["bootstrap_service"] == "mysql@bootstrap"
    assert facts["bootstrap_command"] == ["systemctl", "start", "mysql@bootstrap.service"]
    leave = load_tasks("leave_bootstrap_mode.yml")
    assert leave[0]["ansible.builtin.systemd_service"] == {
        "name": "{{ _galera_cluster_platform.bootstrap_service }}", "state": "stopped"}


@pytest.mark.parametrize("os_family, provider, socket", [
    # PXC rpm/mysqld.cnf: wsrep_provider=/usr/lib64/galera4/libgalera_smm.so,
    # socket=/var/lib/mysql/mysql.sock
    ("RedHat", "/usr/lib64/galera4/libgalera_smm.so", "/var/lib/mysql/mysql.sock"),
    # PXC debian/extra/mysqld.cnf and server.install ("libgalera_smm.so usr/lib/galera4"),
    # socket=/var/run/mysqld/mysqld.sock
    ("Debian", "/usr/lib/galera4/libgalera_smm.so", "/var/run/mysqld/mysqld.sock"),
])
def test_provider_socket_and_server(os_family, provider, socket):
    facts = platform(os_family)
    assert facts["provider"] == provider
    assert facts["socket"] == socket
    # PXC */mysql.service: ExecStart=/usr/sbin/mysqld (PXC 8 runs no mysqld_safe)
    assert facts["server_binary"] == "/usr/sbin/mysqld"
    # PXC */mysql.service: User=mysql, Group=mysql
    assert (facts["server_user"], facts["server_group"]) == ("mysql", "mysql")
    # PXC rpm/mysqld.cnf and debian/extra/mysqld.cnf: datadir=/var/lib/mysql; PXC mysql-systemd
    # reads grastate.dat from "${datadir}/grastate.dat"
    assert render(role_templar(os_family), "{{ galera_cluster_datadir }}") == "/var/lib/mysql"


@pytest.mark.parametrize("os_family, error_log", [
    ("RedHat", "/var/log/mysqld.log"),          # PXC rpm/mysqld.cnf log-error
    ("Debian", "/var/log/mysql/error.log"),     # PXC debian/extra/mysqld.cnf log-error
])
def test_error_log(os_family, error_log):
    assert platform(os_family)["error_log"] == error_log


def test_sst_method_and_packages():
    # PXC rpm/mysqld.cnf and debian/extra/mysqld.cnf: wsrep_sst_method=xtrabackup-v2; the server
    # package ships wsrep_sst_xtrabackup-v2 and xtrabackup itself (server.install: usr/bin/pxc_extra),
    # so no separate xtrabackup package is needed.
    templar = role_templar("RedHat")
    assert render(templar, "{{ _galera_cluster_sst_methods.percona }}") == ["xtrabackup-v2"]
    assert render(templar, "{{ galera_cluster_sst_method }}") == "xtrabackup-v2"
    for os_family in ("RedHat", "Debian"):
        facts = platform(os_family)
        assert facts["sst_packages"] == {"xtrabackup-v2": []}
        assert facts["packages"][0] == "percona-xtradb-cluster"


def test_strict_mode_values():
    # PXC rpm/mysqld.cnf: "pxc_strict_mode allowed values: DISABLED,PERMISSIVE,ENFORCING,MASTER",
    # pxc_strict_mode=ENFORCING (DOCS upgrade-guide.md: enabled by default in 8.0)
    spec = yaml.safe_load((ROLE / "meta" / "argument_specs.yml").read_text())
    option = spec["argument_specs"]["main"]["options"]["galera_cluster_pxc_strict_mode"]
    assert option["choices"] == ["DISABLED", "PERMISSIVE", "ENFORCING", "MASTER"]
    assert option["default"] == "ENFORCING"


# ---------------------------------------------------------------- the option files

def render_config(os_family, **overrides):
    return render_file(role_templar(os_family, **overrides), ROLE / "templates" / "galera.cnf.j2")


def option_lines(text):
    return [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]


@pytest.mark.parametrize("os_family", ["RedHat", "Debian"])
def test_no_sst_credentials(os_family):
    # DOCS configure-cluster-rhel.md: "The variable wsrep_sst_auth has been removed"; PXC 8
    # creates mysql.pxc.sst.user on the donor. PXC 8.0's packaged mysqld.cnf has no
    # wsrep_sst_auth line at all (5.7's wsrep.cnf had one).
    text = render_config(os_family, galera_cluster_sst_password="not-used")
    assert not [line for line in option_lines(text) if line.startswith("wsrep_sst_auth")]
    assert "wsrep_sst_method = xtrabackup-v2" in option_lines(text)


@pytest.mark.parametrize("os_family", ["RedHat", "Debian"])
def test_encryption_uses_the_shared_files(os_family):
    # DOCS encrypt-traffic.md: pxc-encrypt-cluster-traffic is on by default; the files are
    # "first searched at the ssl-ca, ssl-cert, and ssl-key options under [mysqld]", else in
    # the datadir, where every node generates its own; "you should use the same key and
    # certificate files on all nodes". DOCS upgrade-guide.md: otherwise the node cannot join.
    lines = option_lines(render_config(os_family))
    assert "pxc_encrypt_cluster_traffic = ON" in lines
    assert "ssl-ca = /etc/mysql/certs/ca.pem" in lines
    assert "ssl-cert = /etc/mysql/certs/server-cert.pem" in lines
    assert "ssl-key = /etc/mysql/certs/server-key.pem" in lines
    assert lines.index("[mysqld]") < lines.index("ssl-ca = /etc/mysql/certs/ca.pem")
    off = option_lines(render_config(os_family, galera_cluster_pxc_encrypt_cluster_traffic=False))
    assert "pxc_encrypt_cluster_traffic = OFF" in off
    assert not [line for line in off if line.startswith("ssl-")]


def test_tls_files_are_where_apparmor_lets_mysqld_read():
    # PXC debian/extra/apparmor.d/usr.sbin.mysqld.in (8539909be9ccb7fa9f0ffb8a88a444b1c58d9ff1):
    # "/etc/mysql/** r"; on EL the directory gets etc_t, which mysqld_t reads.
    assert render(role_templar("Debian"), "{{ galera_cluster_pxc_ssl_dir }}").startswith("/etc/mysql/")


def write_tree(root, files):
    for path, text in files.items():
        target = root / path.lstrip("/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def effective_options(root, main_file):
    """The [mysqld] options the server would get, in reading order, by MariaDB's own reader."""
    reader = shutil.which("my_print_defaults")
    assert reader, "my_print_defaults (MariaDB client) is needed: the lab installs it with mariadb-server"
    text = (root / main_file.lstrip("/")).read_text()
    (root / main_file.lstrip("/")).write_text(text.replace("!includedir /", "!includedir %s/" % root))
    out = subprocess.run([reader, "--defaults-file=%s" % (root / main_file.lstrip("/")), "mysqld"],
                         check=True, capture_output=True, text=True).stdout
    return out.splitlines()


def last_value(options, name):
    values = [line.split("=", 1)[1] for line in options if line.startswith("--%s=" % name)]
    return values[-1] if values else None


# What the packages ship, reduced to the lines that matter: PXC debian/extra/mysql.cnf
# ("!includedir /etc/mysql/mysql.conf.d/" then "!includedir /etc/mysql/conf.d/", installed as
# /etc/mysql/my.cnf by the postinst's update-alternatives) and debian/extra/mysqld.cnf, which
# server.install puts in /etc/mysql/mysql.conf.d/ and which starts a new cluster.
DEBIAN_PACKAGE_FILES = {
    "/etc/mysql/my.cnf": "!includedir /etc/mysql/mysql.conf.d/\n!includedir /etc/mysql/conf.d/\n",
    "/etc/mysql/mysql.conf.d/mysqld.cnf": (
        "[mysqld]\nwsrep_provider=/usr/lib/galera4/libgalera_smm.so\nwsrep_cluster_address=gcomm://\n"
        "wsrep_cluster_name=pxc-cluster\nwsrep_node_name=pxc-cluster-node-1\n"),
    "/etc/mysql/conf.d/.keep": "",
}


def role_files(templar):
    return {
        render(templar, "{{ _galera_cluster_config_file }}"): render_file(templar, ROLE / "templates" / "galera.cnf.j2"),
        render(templar, "{{ _galera_cluster_members_file }}"):
            render_file(templar, ROLE / "templates" / "galera-members.cnf.j2"),
    }


def test_debian_package_settings_do_not_override_the_roles(tmp_path):
    # The role's files must be read after the package's mysqld.cnf, or its
    # wsrep_cluster_address=gcomm:// makes each node start a cluster of its own.
    templar = role_templar("Debian")
    write_tree(tmp_path, DEBIAN_PACKAGE_FILES)
    write_tree(tmp_path, role_files(templar))
    options = effective_options(tmp_path, "/etc/mysql/my.cnf")
    assert last_value(options, "wsrep_cluster_address") == "gcomm://10.0.0.11,10.0.0.12,10.0.0.13"
    assert last_value(options, "wsrep_cluster_name") == "openstack_db"
    assert last_value(options, "wsrep_node_name") == "db1"


# ---------------------------------------------------------------- root's first password

def test_el_needs_a_root_password_the_role_can_set():
    # PXC rpm/mysql-systemd start-pre: "/usr/sbin/mysqld --initialize --datadir=... --user=mysql"
    # on the first start (an expired random root password, logged); DOCS yum.md:
    # "grep 'temporary password' /var/log/mysqld.log". PXC debian postinst instead runs
    # mysqld --initialize-insecure and, with no debconf password, gives root auth_socket.
    assert platform("RedHat")["temporary_root_password"] is True
    assert platform("Debian")["temporary_root_password"] is False
    checks = load_tasks("percona_preflight.yml")
    check = [task for task in checks if "root_password" in str(task.get("ansible.builtin.assert", {}).get("that"))]
    assert check and check[0]["when"] == "_galera_cluster_platform.temporary_root_password | default(false)"


LOG_PASSWORDS = ["Zt9#kq:p;Lw2", 'a"b\\c=d e', "s/giN9Vo>L9h", "-qeFRRlHV0jf"]


@pytest.mark.parametrize("password", LOG_PASSWORDS)
def test_temporary_password_is_read_from_the_log_line(password):
    # MySQL 8's error log line for --initialize: "[Note] [MY-010454] [Server] A temporary
    # password is generated for root@localhost: <password>"; each new --initialize adds one.
    tasks = load_tasks("percona_root.yml")
    grep = [task for task in walk(tasks) if "Read the temporary password" in task.get("name", "")][0]
    needle = grep["ansible.builtin.command"]["argv"][2]
    writer = [task for task in walk(tasks) if "Write the temporary password" in task.get("name", "")][0]
    expression = writer["vars"]["_galera_cluster_temporary_password"]
    lines = ["2024-03-01T10:00:00.000000Z 6 [Note] [MY-010454] [Server] A temporary password is generated "
             "for root@localhost: old-one",
             "2024-03-02T10:00:00.000000Z 6 [Note] [MY-010454] [Server] A temporary password is generated "
             "for root@localhost: %s" % password]
    assert all(needle in line for line in lines)
    templar = role_templar("RedHat", _galera_cluster_temporary_password_lines={"stdout_lines": lines})
    assert render(templar, expression) == password
    # the private option file gives the server the password unchanged
    content = render(role_templar("RedHat", _galera_cluster_temporary_password=password,
                                  _galera_cluster_expired_cnf={"path": "/tmp/x.cnf"}),
                     writer["ansible.builtin.copy"]["content"])
    assert "user = root" in content and "socket = /var/lib/mysql/mysql.sock" in content
    assert writer["no_log"] is True and writer["diff"] is False


@pytest.mark.parametrize("password, literal", [
    ("plain", "'plain'"),
    ("it's", "'it''s'"),
    # literal backslashes: the statement runs with NO_BACKSLASH_ESCAPES
    ("back\\slash", "'back\\slash'"),
    ("\\'\"#;", "'\\''\"#;'"),
])
def test_new_root_password_is_a_quoted_sql_literal(password, literal):
    tasks = load_tasks("percona_root.yml")
    alter = [task for task in walk(tasks) if "Replace the expired password" in task.get("name", "")][0]
    statement = render(role_templar("RedHat", galera_cluster_root_password=password),
                       alter["ansible.builtin.command"]["stdin"])
    assert statement == ("SET SESSION sql_mode = 'NO_BACKSLASH_ESCAPES'; "
                         "ALTER USER 'root'@'localhost' IDENTIFIED BY %s;" % literal)
    # through stdin, never on the command line
    assert not [arg for arg in alter["ansible.builtin.command"]["argv"] if "root_password" in arg]
    assert "--connect-expired-password" in alter["ansible.builtin.command"]["argv"]
    assert alter["no_log"] is True


# ---------------------------------------------------------------- Percona's key (issue item 11)

def all_task_files():
    return sorted(TASKS.glob("*.yml"))


def test_nothing_turns_signature_checks_off():
    for path in all_task_files():
        for task in walk(yaml.safe_load(path.read_text())):
            for module, args in task.items():
                if not isinstance(args, dict):
                    continue
                assert args.get("disable_gpg_check") not in (True, "true", "yes"), "%s: %s" % (path.name, task["name"])
                assert args.get("validate_certs") not in (False, "false", "no"), "%s: %s" % (path.name, task["name"])
                assert args.get("allow_unauthenticated") not in (True, "true", "yes"), "%s: %s" % (path.name, task["name"])
        assert "trusted=yes" not in path.read_text(), path.name


def test_default_key_is_perconas_packaging_key():
    templar = role_templar("RedHat")
    assert render(templar, "{{ galera_cluster_percona_key_fingerprint }}") == PERCONA_PACKAGING_KEY
    # REPOS scripts/percona-release.sh writes "gpgkey = file:///etc/pki/rpm-gpg/PERCONA-PACKAGING-KEY"
    # into every yum section; the same key is served under repo.percona.com/yum/.
    assert render(templar, "{{ galera_cluster_percona_key_src }}") == "https://repo.percona.com/yum/PERCONA-PACKAGING-KEY"


def test_redhat_imports_the_key_by_fingerprint_before_any_percona_package():
    tasks = load_tasks("percona_repository_RedHat.yml")
    modules = [next(key for key in task if key.startswith("ansible.builtin.")) for task in tasks]
    key_import = tasks[modules.index("ansible.builtin.rpm_key")]["ansible.builtin.rpm_key"]
    assert key_import["fingerprint"] == "{{ galera_cluster_percona_key_fingerprint }}"
    assert key_import["key"] == "{{ galera_cluster_percona_key_src }}"
    assert modules.index("ansible.builtin.rpm_key") < modules.index("ansible.builtin.dnf")
    assert tasks[modules.index("ansible.builtin.dnf")]["ansible.builtin.dnf"]["disable_gpg_check"] is False
    # REPOS percona-release.sh names the file ${LOCATION}/percona-${repo}-${component}.repo
    enable = tasks[modules.index("ansible.builtin.command")]["ansible.builtin.command"]
    assert enable["argv"][:2] == ["percona-release", "enable-only"]
    assert enable["creates"] == "/etc/yum.repos.d/percona-{{ galera_cluster_percona_repository }}-release.repo"


@pytest.mark.parametrize("os_family", ["RedHat", "Debian"])
def test_the_repository_is_added_on_both_families(os_family):
    # The role offers percona on Debian too: without Percona's repository its packages
    # cannot be found there.
    install = load_tasks("install.yml")
    include = [task for task in install if "ansible.builtin.include_tasks" in task][0]
    templar = role_templar(os_family)
    assert render(templar, include["ansible.builtin.include_tasks"]) == "percona_repository_%s.yml" % os_family
    assert render(templar, "{{ %s }}" % include["when"]) is True
    assert (TASKS / ("percona_repository_%s.yml" % os_family)).exists()
    assert install.index(include) < [i for i, task in enumerate(install) if "block" in task][0]


def test_debian_source_matches_percona_release():
    # REPOS percona-release.sh create_apt_repo: "deb [signed-by=/usr/share/keyrings/percona-keyring.gpg]
    # ${URL}/${_repo}/apt ${CODENAME} main" for the release component
    tasks = load_tasks("percona_repository_Debian.yml")
    source = [task for task in tasks if task["name"].startswith("Add Percona's repository")][0]["ansible.builtin.copy"]
    templar = role_templar("Debian")
    assert render(templar, source["dest"]) == "/etc/apt/sources.list.d/percona-pxc-80.sources"
    fields = dict(line.split(": ", 1) for line in render(templar, source["content"]).splitlines()
                  if line and not line.startswith("#"))
    assert fields == {"Types": "deb", "URIs": "https://repo.percona.com/pxc-80/apt", "Suites": "bookworm",
                      "Components": "main", "Signed-By": "/etc/apt/keyrings/percona-packaging-key.gpg"}


def gpg(home, *args):
    return subprocess.run(["gpg", "--homedir", str(home), "--batch", "--no-tty"] + list(args),
                          check=True, capture_output=True, text=True).stdout


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    """Two throwaway keys, one with a subkey; returns (home, [fingerprints])."""
    assert shutil.which("gpg"), "gpg is needed"
    home = tmp_path_factory.mktemp("gnupg")
    os.chmod(home, 0o700)
    fingerprints = []
    for name in ("Packaging <pkg@example.invalid>", "Intruder <evil@example.invalid>"):
        gpg(home, "--passphrase", "", "--quick-gen-key", name, "ed25519", "sign", "never")
        listing = gpg(home, "--with-colons", "--list-keys", name)
        fingerprint = [line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr:")][0]
        fingerprints.append(fingerprint)
    gpg(home, "--passphrase", "", "--quick-add-key", fingerprints[0], "cv25519", "encr", "never")
    return home, fingerprints


def primary_fingerprints(listing):
    tasks = load_tasks("percona_repository_Debian.yml")
    check = [task for task in walk(tasks) if task.get("name", "").startswith("Check that the file holds")][0]
    templar = role_templar("Debian", _galera_cluster_percona_key_listing={"stdout_lines": listing.splitlines()})
    return render(templar, check["vars"]["_galera_cluster_primary_fingerprints"]), check


def show_keys(home, path):
    return gpg(home, "--with-colons", "--show-keys", str(path))


def test_debian_key_check_accepts_the_expected_key_only(keys, tmp_path):
    home, (wanted, intruder) = keys
    alone = tmp_path / "alone.asc"
    alone.write_text(gpg(home, "--armor", "--export", wanted))
    both = tmp_path / "both.asc"
    both.write_text(gpg(home, "--armor", "--export", wanted, intruder))
    found, check = primary_fingerprints(show_keys(home, alone))
    # the subkey of the wanted key is not a key of its own
    assert found == wanted
    assert check["ansible.builtin.assert"]["that"] == (
        "_galera_cluster_primary_fingerprints == _galera_cluster_expected_fingerprint")
    found = primary_fingerprints(show_keys(home, both))[0]
    assert found == "%s, %s" % (wanted, intruder)
    found = primary_fingerprints(show_keys(home, tmp_path / "alone.asc").replace(wanted, intruder))[0]
    assert found != wanted


def test_debian_trusts_only_the_key_exported_by_fingerprint():
    tasks = load_tasks("percona_repository_Debian.yml")
    block = [task for task in tasks if task.get("name", "").startswith("Check the key and trust it")][0]
    names = [task["name"] for task in block["block"]]
    assert names.index("Check that the file holds Percona's packaging key and nothing else") < names.index(
        "Trust the checked key for Percona's repository")
    export = [task for task in block["block"] if task["name"] == "Export the checked key alone"][0]
    assert export["ansible.builtin.command"]["argv"].rstrip().endswith("_galera_cluster_expected_fingerprint] }}")
    templar = role_templar("Debian", galera_cluster_percona_key_fingerprint="4D1B B29D 63D9 8E42 2B21  13B1 9334 A25F 8507 efa5")
    assert render(templar, block["vars"]["_galera_cluster_expected_fingerprint"]) == PERCONA_PACKAGING_KEY
