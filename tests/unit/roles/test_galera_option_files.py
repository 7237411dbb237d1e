"""The galera_cluster role's option files, rendered by Ansible and read back by MariaDB's own reader.

One ansible-playbook run (connection local, the template lookup) renders the
role's real templates (galera.cnf, the SST credentials, the member list, root's my.cnf and
the clustercheck login) with the role's defaults and vars, for passwords holding every
character the option file reader treats specially. Each file is then read with
my_print_defaults and checked by the server itself (mariadbd --help --verbose, the same
check as the role's validate command), and every value is compared byte for byte.
mariadb-server is installed on every machine we test on (tools/bootstrap.sh).
Run: .venv/bin/python -m pytest -q tests/unit/roles/test_galera_option_files.py
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
ROLE = REPO / "roles" / "galera_cluster"
COLLECTIONS = REPO / ".build" / "collections"

PASSWORDS = {
    "hash": "Pa#ss",
    "double_quote": 'sa"y',
    "single_quote": "it's",
    "backslash": "back\\slash\\",
    "spaces": " two  spaces ",
    "equals": "a=b = c",
    "all": "#\"'\\ =x",
    "line_break": "new\nline",
    "plain": "plain-Passw0rd",
}

# The template lookup renders with the same engine and variables as the template action;
# one set_fact loop keeps the run short (no module runs per file).
PLAYBOOK = """
- name: Render the galera_cluster option files
  hosts: localhost
  connection: local
  gather_facts: false
  vars_files:
    - {role}/defaults/main.yml
    - {role}/vars/main.yml
  tasks:
    - name: Render every option file for every password
      ansible.builtin.set_fact:
        rendered: >-
          {{{{ rendered | default({{}}) | combine({{item.0.key ~ '-' ~ item.1:
               lookup('ansible.builtin.template', '{role}/templates/' ~ item.1 ~ '.j2')}}) }}}}
      loop: "{{{{ cases | dict2items | product(templates) | list }}}}"
      vars:
        galera_cluster_sst_password: "{{{{ item.0.value }}}}"
        galera_cluster_root_password: "{{{{ item.0.value }}}}"
        galera_cluster_clustercheck_password: "{{{{ item.0.value }}}}"

    - name: Write them out
      ansible.builtin.copy:
        content: "{{{{ rendered | to_json }}}}"
        dest: "{{{{ out }}}}/rendered.json"
        mode: "0600"
"""

TEMPLATES = ["galera.cnf", "galera-sst.cnf", "galera-members.cnf", "root-my.cnf", "galera-clustercheck.cnf"]

# extra vars: above the role's defaults and vars files, as an inventory would be
SETTINGS = {
    "ansible_python_interpreter": sys.executable,
    "ansible_facts": {"os_family": "Debian", "default_ipv4": {"address": "10.0.0.11"},
                      "all_ipv4_addresses": ["10.0.0.11"]},
    "galera_cluster_flavor": "mariadb",
    "galera_cluster_name": "openstack_db",
    "galera_cluster_node_name": "db1",
    "galera_cluster_settings": {"max_allowed_packet": "64M", "init_connect": "SET NAMES utf8mb4 # x",
                                "skip-name-resolve": None},
    "galera_cluster_provider_options": {"gcs.fc_limit": 64},
    "_galera_cluster_preflight": {"cluster_address": "gcomm://10.0.0.11,10.0.0.12,[fd00::13]"},
    "_galera_cluster_clustercheck_os_user": "clustercheck",
}


@pytest.fixture(scope="module")
def rendered(tmp_path_factory):
    out = tmp_path_factory.mktemp("rendered")
    playbook = out / "render.yml"
    playbook.write_text(PLAYBOOK.format(role=ROLE))
    # passwords go through a file, not the command line
    extra = out / "cases.json"
    # the option file templates the role has (the SST credentials had no file of their own before)
    templates = [t for t in TEMPLATES if (ROLE / "templates" / (t + ".j2")).exists()]
    extra.write_text(json.dumps(dict(SETTINGS, cases=PASSWORDS, out=str(out), templates=templates)))
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0", ANSIBLE_INVENTORY_UNPARSED_WARNING="0")
    ansible_playbook = str(Path(sys.executable).parent / "ansible-playbook")
    result = subprocess.run([ansible_playbook, "-i", "localhost,", str(playbook), "-e", "@%s" % extra],
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, check=False)
    assert result.returncode == 0, result.stdout.decode("utf-8", "replace")[-3000:]
    for name, text in json.loads((out / "rendered.json").read_text()).items():
        (out / name).write_bytes(text.encode("utf-8"))
    return out


def tool(name):
    path = shutil.which(name) or (("/usr/sbin/" + name) if os.path.exists("/usr/sbin/" + name) else None)
    if path is None:
        pytest.fail("%s is missing: install mariadb-server (tools/bootstrap.sh does)" % name)
    return path


def read_options(path, group):
    """The options of ``group`` as my_print_defaults reads them: {name: bytes value}."""
    out = subprocess.run([tool("my_print_defaults"), "--defaults-file=%s" % path, group],
                         check=True, stdout=subprocess.PIPE).stdout
    options = {}
    # one "--name=value" per line; a value may hold a line break, so split on "\n--"
    for chunk in (b"\n" + out.rstrip(b"\n")).split(b"\n--")[1:]:
        name, _sep, value = chunk.partition(b"=")
        options[name.decode()] = value
    return options


def server_files(rendered, case):
    """The role's server option files for a case, in the order the server reads them, as one file."""
    path = rendered / ("%s-server.cnf" % case)
    parts = [rendered / ("%s-%s" % (case, name)) for name in ("galera.cnf", "galera-members.cnf", "galera-sst.cnf")]
    path.write_bytes(b"\n".join(p.read_bytes() for p in parts if p.exists()))
    return path


@pytest.mark.parametrize("case", sorted(PASSWORDS))
def test_sst_credentials_are_read_back_exactly(rendered, case):
    # what the server and its SST scripts read as wsrep_sst_auth from all the role's files
    out = subprocess.run([tool("my_print_defaults"), "--defaults-file=%s" % server_files(rendered, case), "mysqld"],
                         check=True, stdout=subprocess.PIPE).stdout
    values = [chunk.partition(b"=")[2] for chunk in (b"\n" + out.rstrip(b"\n")).split(b"\n--")[1:]
              if chunk.startswith(b"wsrep_sst_auth=")]
    assert values == [("sst:" + PASSWORDS[case]).encode("utf-8")]


@pytest.mark.parametrize("case", sorted(PASSWORDS))
def test_sst_credentials_have_a_file_of_their_own(rendered, case):
    assert read_options(rendered / ("%s-galera-sst.cnf" % case), "mysqld") == {
        "wsrep_sst_auth": ("sst:" + PASSWORDS[case]).encode("utf-8")}


@pytest.mark.parametrize("case", sorted(PASSWORDS))
def test_root_login_is_read_back_exactly(rendered, case):
    options = read_options(rendered / ("%s-root-my.cnf" % case), "client")
    assert options == {"user": b"root", "password": PASSWORDS[case].encode("utf-8"),
                       "socket": b"/run/mysqld/mysqld.sock"}


@pytest.mark.parametrize("case", sorted(PASSWORDS))
def test_clustercheck_login_is_read_back_exactly(rendered, case):
    options = read_options(rendered / ("%s-galera-clustercheck.cnf" % case), "client")
    assert options == {"user": b"clustercheck", "password": PASSWORDS[case].encode("utf-8"),
                       "socket": b"/run/mysqld/mysqld.sock"}


def test_galera_cnf_values_are_read_back_exactly(rendered):
    options = read_options(rendered / "all-galera.cnf", "mysqld")
    assert options["wsrep_node_name"] == b"db1"
    assert options["wsrep_cluster_name"] == b"openstack_db"
    assert options["wsrep_node_address"] == b"10.0.0.11"
    assert options["bind-address"] == b"10.0.0.11"
    assert options["datadir"] == b"/var/lib/mysql"
    assert options["wsrep_provider_options"] == b"gcache.size=256M; gcs.fc_limit=64"
    assert options["init_connect"] == b"SET NAMES utf8mb4 # x"
    assert options["max_allowed_packet"] == b"64M"
    assert options["skip-name-resolve"] == b""
    # the credentials live in their own file, never shown as a diff
    assert "wsrep_sst_auth" not in options


def test_member_list_is_read_back_exactly(rendered):
    options = read_options(rendered / "plain-galera-members.cnf", "mysqld")
    assert options == {"wsrep_cluster_address": b"gcomm://10.0.0.11,10.0.0.12,[fd00::13]"}


@pytest.mark.parametrize("name", ["galera.cnf", "galera-sst.cnf", "galera-members.cnf"])
def test_the_server_accepts_the_server_files(rendered, name):
    # what the role's validate command runs: unknown options fail, bad values print [ERROR]
    result = subprocess.run([tool("mariadbd"), "--defaults-file=%s" % (rendered / ("all-" + name)),
                             "--wsrep-cluster-address=gcomm://", "--help", "--verbose"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, check=False)
    assert result.returncode == 0, result.stderr.decode("utf-8", "replace")[-2000:]
    assert b"[ERROR]" not in result.stderr


def test_the_clustercheck_reads_its_login_as_the_server_does(rendered):
    script = ROLE / "files" / "galera-clustercheck"
    for case, password in PASSWORDS.items():
        code = ("import importlib.machinery as m, json, sys; "
                "cc = m.SourceFileLoader('cc', sys.argv[1]).load_module(); "
                "print(json.dumps(cc.read_option_file(sys.argv[2])))")
        out = subprocess.run([sys.executable, "-c", code, str(script),
                              str(rendered / ("%s-galera-clustercheck.cnf" % case))],
                             check=True, stdout=subprocess.PIPE).stdout
        assert json.loads(out)["password"] == password, case
