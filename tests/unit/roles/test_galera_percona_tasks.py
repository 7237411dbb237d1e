"""The galera_cluster role's Percona task files, run for real by ansible-playbook on this machine.

Nothing of Percona is installed: the task files that need no Percona package run against
local connections with the role's platform paths moved under a temporary directory
(extra vars override role vars), then their outcome is checked on disk:
  - percona_config.yml: the EL main option file reads the role's directory last, checked
    with MariaDB's my_print_defaults as the option-file reader;
  - percona_tls.yml: one CA and server certificate on three "nodes" (three directories),
    kept on the next run, never replaced under a running node, never printed.
Facts about Percona's files are cited in test_galera_percona.py.

Run: .venv/bin/python -m pytest -q tests/unit/roles/test_galera_percona_tasks.py
"""

import grp
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

REPO = Path(__file__).resolve().parents[3]
COLLECTIONS = REPO / ".build" / "collections"
PLAYBOOK = """
- hosts: galera
  gather_facts: false
  tasks:
    - name: Run one of the role's task files
      ansible.builtin.include_role:
        name: stackops.openstack.galera_cluster
        tasks_from: {tasks}
"""
GROUP = grp.getgrgid(os.getgid()).gr_name


def run_playbook(tmp_path, tasks, hosts, extra, check=False, expect_rc=0):
    """Run the role's task file on local "hosts" (host -> host vars); return the output."""
    inventory = {"galera": {"hosts": {
        host: dict({"ansible_connection": "local", "ansible_python_interpreter": sys.executable}, **hostvars)
        for host, hostvars in hosts.items()}}}
    (tmp_path / "inventory.json").write_text(json.dumps(inventory))
    (tmp_path / "play.yml").write_text(PLAYBOOK.format(tasks=tasks))
    (tmp_path / "extra.json").write_text(json.dumps(extra))
    command = [str(Path(sys.executable).with_name("ansible-playbook")), "-i", str(tmp_path / "inventory.json"),
               "-e", "@%s" % (tmp_path / "extra.json"), "--diff", "-v", str(tmp_path / "play.yml")]
    if check:
        command.append("--check")
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
               ANSIBLE_FORCE_COLOR="0", ANSIBLE_RETRY_FILES_ENABLED="0", ANSIBLE_LOCAL_TEMP=str(tmp_path / "tmp"),
               ANSIBLE_HOME=str(tmp_path / "ansible-home"))
    result = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True, timeout=600, check=False)
    output = result.stdout + result.stderr
    assert result.returncode == expect_rc, output
    return output


def recap(output):
    """{host: {"ok": n, "changed": n, "failed": n, ...}} from PLAY RECAP."""
    found = {}
    for host, counters in re.findall(r"^(\S+)\s+:\s+(ok=.*)$", output, re.M):
        found[host] = {name: int(value) for name, value in re.findall(r"(\w+)=(\d+)", counters)}
    return found


def platform(root):
    return {
        "service": "mysql", "bootstrap_service": "mysql@bootstrap", "server_user": "mysql",
        "server_group": GROUP, "socket": str(root / "mysql.sock"),
        "config_dir": str(root / "etc" / "my.cnf.d"), "main_config": str(root / "etc" / "my.cnf"),
    }


# ---------------------------------------------------------------- EL: /etc/my.cnf

# Percona's EL /etc/my.cnf (build-ps/rpm/mysqld.cnf at 09653c9b, see test_galera_percona.py),
# reduced to the lines that matter: a new cluster, and no !includedir.
EL_MY_CNF = ("[client]\nsocket=/var/lib/mysql/mysql.sock\n\n[mysqld]\ndatadir=/var/lib/mysql\n"
             "wsrep_provider=/usr/lib64/galera4/libgalera_smm.so\nwsrep_cluster_address=gcomm://\n"
             "wsrep_cluster_name=pxc-cluster\nwsrep_node_name=pxc-cluster-node-1\npxc_strict_mode=ENFORCING\n")


def read_options(main_config):
    reader = shutil.which("my_print_defaults")
    assert reader, "my_print_defaults (MariaDB client) is needed: the lab installs it with mariadb-server"
    out = subprocess.run([reader, "--defaults-file=%s" % main_config, "mysqld"], check=True,
                         capture_output=True, text=True).stdout
    return out.splitlines()


def test_el_main_option_file_reads_the_role_last(tmp_path):
    root = tmp_path / "node"
    (root / "etc").mkdir(parents=True)
    main_config = root / "etc" / "my.cnf"
    main_config.write_text(EL_MY_CNF)
    extra = {"galera_cluster_flavor": "percona", "_galera_cluster_platform": platform(root),
             "galera_cluster_pxc_encrypt_cluster_traffic": False}
    hosts = {"db1": {}}

    run_playbook(tmp_path, "percona_config.yml", hosts, extra, check=True)
    assert main_config.read_text() == EL_MY_CNF, "check mode changed the file"

    first = run_playbook(tmp_path, "percona_config.yml", hosts, extra)
    assert recap(first)["db1"]["changed"] >= 1
    # what config.yml writes there later, reduced to the member list
    (root / "etc" / "my.cnf.d" / "71-stackops-galera-members.cnf").write_text(
        "[mysqld]\nwsrep_cluster_address = gcomm://10.0.0.11,10.0.0.12,10.0.0.13\n")
    options = read_options(main_config)
    addresses = [line for line in options if line.startswith("--wsrep_cluster_address=")]
    assert addresses == ["--wsrep_cluster_address=gcomm://", "--wsrep_cluster_address=gcomm://10.0.0.11,10.0.0.12,10.0.0.13"]
    # the package's lines are kept; the include is the file's last directive
    text = main_config.read_text()
    assert text.startswith(EL_MY_CNF)
    directives = [line for line in text.splitlines() if line.strip() and not line.startswith("#")]
    assert directives[-1] == "!includedir %s/" % (root / "etc" / "my.cnf.d")

    second = run_playbook(tmp_path, "percona_config.yml", hosts, extra)
    assert recap(second)["db1"]["changed"] == 0
    assert main_config.read_text() == text


# ---------------------------------------------------------------- the cluster's TLS files

NODES = ["db1", "db2", "db3"]
FILES = ["ca.pem", "server-cert.pem", "server-key.pem"]


def tls_hosts(tmp_path, **hostvars):
    return {node: dict({"galera_cluster_pxc_ssl_dir": str(tmp_path / node / "certs")}, **hostvars.get(node, {}))
            for node in NODES}


def tls_extra(tmp_path):
    return {"galera_cluster_flavor": "percona", "_galera_cluster_platform": platform(tmp_path / "unused")}


def read_set(tmp_path, node):
    return {name: (tmp_path / node / "certs" / name).read_bytes() for name in FILES}


def key_lines(pem):
    return [line for line in pem.decode().splitlines() if line and not line.startswith("-----")]


def assert_not_shown(output, files):
    assert "PRIVATE KEY" not in output
    for line in key_lines(files["server-key.pem"]):
        assert line not in output


def test_one_certificate_for_every_node(tmp_path):
    hosts = tls_hosts(tmp_path)
    extra = tls_extra(tmp_path)

    check = run_playbook(tmp_path, "percona_tls.yml", hosts, extra, check=True)
    assert not (tmp_path / "db1" / "certs").exists(), "check mode wrote files"
    assert "PRIVATE KEY" not in check

    first = run_playbook(tmp_path, "percona_tls.yml", hosts, extra)
    sets = [read_set(tmp_path, node) for node in NODES]
    assert sets[0] == sets[1] == sets[2]
    files = sets[0]
    assert_not_shown(first, files)

    ca = x509.load_pem_x509_certificate(files["ca.pem"])
    cert = x509.load_pem_x509_certificate(files["server-cert.pem"])
    key = serialization.load_pem_private_key(files["server-key.pem"], password=None)
    cert.verify_directly_issued_by(ca)
    assert ca.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is True
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert {u.dotted_string for u in usages} == {"1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"}

    for node in NODES:
        directory = tmp_path / node / "certs"
        assert oct(directory.stat().st_mode & 0o777) == "0o750"
        assert oct((directory / "server-key.pem").stat().st_mode & 0o777) == "0o640"
        assert oct((directory / "ca.pem").stat().st_mode & 0o777) == "0o644"

    # the next run keeps them: nothing generated, nothing changed
    second = run_playbook(tmp_path, "percona_tls.yml", hosts, extra)
    assert {node: counters["changed"] for node, counters in recap(second).items()} == {node: 0 for node in NODES}
    assert [read_set(tmp_path, node) for node in NODES] == sets
    assert_not_shown(second, files)

    # db2 runs with another CA (its own certificate will do); db3 is new and has none:
    # db2 is refused and keeps its file, db3 gets the cluster's set from db1
    other = files["server-cert.pem"]
    (tmp_path / "db2" / "certs" / "ca.pem").write_bytes(other)
    shutil.rmtree(tmp_path / "db3" / "certs")
    running = tls_hosts(tmp_path, db2={"_galera_cluster_observed": {"reachable": True}})
    third = run_playbook(tmp_path, "percona_tls.yml", running, extra, expect_rc=2)
    assert re.search(r"db2 runs with ca\.pem in \S+/db2/certs other than the cluster's \(those of db1\)", third), third
    assert (tmp_path / "db2" / "certs" / "ca.pem").read_bytes() == other
    assert read_set(tmp_path, "db3") == files
    counters = recap(third)
    assert counters["db2"]["failed"] == 1 and counters["db1"]["changed"] == 0
    assert_not_shown(third, files)

    # stopped, db2 is brought in line
    fourth = run_playbook(tmp_path, "percona_tls.yml", hosts, extra)
    assert read_set(tmp_path, "db2") == files
    assert recap(fourth)["db2"]["changed"] == 1
    assert_not_shown(fourth, files)

    # the first node lost its files: they come back from the next node that has them
    shutil.rmtree(tmp_path / "db1" / "certs")
    fifth = run_playbook(tmp_path, "percona_tls.yml", hosts, extra)
    assert read_set(tmp_path, "db1") == files
    assert {node: counters["changed"] for node, counters in recap(fifth).items()} == {"db1": 3, "db2": 0, "db3": 0}
    assert_not_shown(fifth, files)


def make_ca_and_server():
    """A CA and a server certificate made here, as an operator would bring them."""
    import datetime
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    now = datetime.datetime.now(datetime.timezone.utc)

    def certificate(subject, issuer, public_key, signing_key, ca):
        return (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer).public_key(public_key)
                .serial_number(x509.random_serial_number()).not_valid_before(now)
                .not_valid_after(now + datetime.timedelta(days=30))
                .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
                .sign(signing_key, hashes.SHA256()))

    ca_key, server_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "given CA")])
    server_name = x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, "given server")])
    ca = certificate(ca_name, ca_name, ca_key.public_key(), ca_key, True)
    server = certificate(server_name, ca_name, server_key.public_key(), ca_key, False)
    pem = serialization.Encoding.PEM
    return {
        "ca.pem": ca.public_bytes(pem).decode(),
        "server-cert.pem": server.public_bytes(pem).decode(),
        "server-key.pem": server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                   serialization.NoEncryption()).decode(),
    }


def test_given_files_are_installed_as_they_are(tmp_path):
    given = make_ca_and_server()
    extra = dict(tls_extra(tmp_path), galera_cluster_pxc_ssl_ca=given["ca.pem"],
                 galera_cluster_pxc_ssl_cert=given["server-cert.pem"], galera_cluster_pxc_ssl_key=given["server-key.pem"])
    output = run_playbook(tmp_path, "percona_tls.yml", tls_hosts(tmp_path), extra)
    for node in NODES:
        assert {name: value.decode() for name, value in read_set(tmp_path, node).items()} == given
    assert_not_shown(output, read_set(tmp_path, "db1"))
