"""tools/check_secret_leaks.py and the integration layer that uses it (tests/integration/run.sh).

The run.sh tests run a throw-away integration target (INTEGRATION_TARGETS_DIR) whose
playbook writes a file holding a password from its inventory, once with the diff shown
(a leak run.sh must catch, naming the log line and the variable but not the password)
and once with diff: false (clean). A second target prints one of "the lab's" generated
passwords, which reach run.sh through STACKOPS_LAB_SECRETS_DIR as with_openstack_lab.sh
hands them over. Run: .venv/bin/python -m pytest -q tests/unit/tools
"""

import importlib.util
import json
import os
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "tools" / "check_secret_leaks.py"
RUN_SH = REPO / "tests" / "integration" / "run.sh"


def load():
    spec = importlib.util.spec_from_file_location("check_secret_leaks", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


leaks = load()


@pytest.mark.parametrize("name", [
    "galera_cluster_sst_password", "password", "lbaas_pool_auth", "swift_s3api_auth", "root_token", "api_key",
    "wsrep_sst_auth", "ca_private_key_passphrase", "OS_PASSWORD", "adminPassword", "db_password_hash",
    "heartbeat_key", "client_secret", "CONFIG_KEYSTONE_ADMIN_PW", "CONFIG_NOVA_DB_PW",
])
def test_secret_names(name):
    assert leaks.is_secret_name(name)


@pytest.mark.parametrize("name", [
    "galera_cluster_sst_user", "nova_spice_console_keymap", "galera_cluster_sst_password_set", "auth_url",
    "password_file", "galera_cluster_percona_key_src", "galera_cluster_percona_key_fingerprint", "token_expiration",
    "keystone_url", "name", "",
])
def test_not_secret_names(name):
    assert not leaks.is_secret_name(name)


def test_secrets_are_collected_with_their_place(tmp_path):
    path = tmp_path / "molecule.yml"
    path.write_text(textwrap.dedent("""\
        provisioner:
          inventory:
            group_vars:
              galera:
                galera_cluster_sst_password: 'sst #"pw'
                galera_cluster_sst_password_set: true
                galera_cluster_users:
                  - name: app
                    password: app-password-1
                lbaas_pool_auth:
                  auth_url: http://127.0.0.1:5000
                  username: admin
                  password: admin-password-2
                tokens_allowed: yes
                api_key: 123456
                templated_password: "{{ vault_pw }}"
        """))
    found = {(s.name, s.value, s.line) for s in leaks.secrets_from_yaml(str(path), "molecule.yml")}
    assert found == {
        ("provisioner.inventory.group_vars.galera.galera_cluster_sst_password", 'sst #"pw', 5),
        ("provisioner.inventory.group_vars.galera.galera_cluster_users[0].password", "app-password-1", 9),
        ("provisioner.inventory.group_vars.galera.lbaas_pool_auth.password", "admin-password-2", 13),
        ("provisioner.inventory.group_vars.galera.templated_password", "{{ vault_pw }}", 16),
    }


def test_yaml_with_ansible_tags_is_still_read(tmp_path):
    path = tmp_path / "vars.yml"
    path.write_text("vault_thing: !vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162\nmy_password: plain-one-1\n")
    assert [(s.name, s.value) for s in leaks.secrets_from_yaml(str(path), "vars.yml")] == [
        ("my_password", "plain-one-1")]


@pytest.mark.parametrize("line", [
    'wsrep_sst_auth = sst:Pa#ss"w0rd\n',
    '"msg": "wrong password Pa#ss\\"w0rd"\n',
    'wsrep_sst_auth = "sst:Pa#ss\\"w0rd"\n',
])
def test_escaped_forms_are_found(tmp_path, line):
    out = tmp_path / "out.log"
    out.write_text("fine\n" + line)
    secret = leaks.Secret('Pa#ss"w0rd', "galera_cluster_sst_password", "molecule.yml", 3)
    assert leaks.check([str(out)], [secret], "t") == 1


def test_cli_names_the_line_and_the_variable_never_the_secret(tmp_path):
    inventory = tmp_path / "inventory.yml"
    inventory.write_text("all:\n  vars:\n    db_password: s3cr3t-Value-42\n    short_token: abc\n")
    out = tmp_path / "target.log"
    out.write_text("PLAY\n+password = s3cr3t-Value-42\nok\n")
    result = subprocess.run([sys.executable, str(SCRIPT), "--label", "t", "--secrets-from", str(tmp_path),
                             str(out)], stdout=subprocess.PIPE, text=True, check=False)
    assert result.returncode == 1
    assert "t: LEAK: %s:2: the value of all.vars.db_password (set at " % out in result.stdout
    assert "inventory.yml:3) is in the output" in result.stdout
    assert "short_token" in result.stdout and "too short to search for" in result.stdout
    assert "s3cr3t-Value-42" not in result.stdout


def test_cli_clean_output_passes(tmp_path):
    (tmp_path / "vars.yml").write_text("db_password: s3cr3t-Value-42\n")
    out = tmp_path / "target.log"
    out.write_text("nothing to see\n")
    result = subprocess.run([sys.executable, str(SCRIPT), "--secrets-from", str(tmp_path / "vars.yml"), str(out)],
                            stdout=subprocess.PIPE, text=True, check=False)
    assert result.returncode == 0, result.stdout
    assert "no secret in 1 line(s) of output (1 secret(s) searched for)" in result.stdout


def test_secrets_json_values(tmp_path):
    lab = tmp_path / "passwords.json"
    lab.write_text(json.dumps({"admin": "0123456789abcdef", "swift": "fedcba9876543210"}))
    out = tmp_path / "target.log"
    out.write_text("token for fedcba9876543210\n")
    assert leaks.main(["--secrets-json", str(lab), str(out)]) == 1


# ---------------------------------------------------------------- the integration layer

PLAYBOOK = """\
- name: A target that writes a file with a password
  hosts: localhost
  connection: local
  gather_facts: false
  tasks:
    - name: Write the service's config
      ansible.builtin.copy:
        dest: "{{ out_dir }}/service.conf"
        content: "[database]\\npassword = {{ service_db_password }}\\n"
        mode: "0600"
      diff: DIFF
"""

RUNME = """\
#!/usr/bin/env bash
set -euo pipefail
ansible-playbook -i inventory.yml -e out_dir="$(mktemp -d)" playbook.yml
"""

LAB_RUNME = """\
#!/usr/bin/env bash
set -euo pipefail
# as with_openstack_lab.sh does before the lab goes: its generated passwords for the check
printf '{"admin": "a1b2c3d4e5f60718293a4b5c6d7e8f90"}' > "$STACKOPS_LAB_SECRETS_DIR/passwords.json"
echo "token from a1b2c3d4e5f60718293a4b5c6d7e8f90"
"""


def make_target(root, name, runme, diff=None):
    target = root / name
    target.mkdir(parents=True)
    (target / "runme.sh").write_text(runme)
    (target / "runme.sh").chmod(0o755)
    if diff is not None:
        (target / "playbook.yml").write_text(PLAYBOOK.replace("DIFF", diff))
        (target / "inventory.yml").write_text(
            "all:\n  hosts:\n    localhost:\n      ansible_python_interpreter: %s\n"
            "  vars:\n    service_db_password: Db-Pa55-%s\n" % (sys.executable, uuid.uuid4().hex[:8]))
    return target


def run_targets(root, *names):
    env = dict(os.environ, INTEGRATION_TARGETS_DIR=str(root), ANSIBLE_NOCOLOR="1",
               ANSIBLE_LOCALHOST_WARNING="0")
    env.pop("ANSIBLE_DIFF_ALWAYS", None)
    result = subprocess.run(["bash", str(RUN_SH), *names], env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, check=False)
    for name in names:
        log = REPO / ".build" / "integration" / ("%s.log" % name)
        if log.exists():
            log.unlink()
    return result


@pytest.fixture
def targets(tmp_path):
    return tmp_path / "targets"


def test_run_sh_fails_a_target_whose_diff_shows_a_password(targets):
    name = "leaky_%s" % uuid.uuid4().hex[:6]
    make_target(targets, name, RUNME, diff="true")
    result = run_targets(targets, name)
    assert result.returncode != 0, result.stdout[-2000:]
    assert "%s: LEAK: " % name in result.stdout
    assert "the value of all.vars.service_db_password (set at " in result.stdout
    assert "%s: FAILED" % name in result.stdout


def test_run_sh_passes_when_the_file_is_written_without_diff(targets):
    name = "quiet_%s" % uuid.uuid4().hex[:6]
    make_target(targets, name, RUNME, diff="false")
    result = run_targets(targets, name)
    assert result.returncode == 0, result.stdout[-2000:]
    assert "%s: no secret in " % name in result.stdout
    assert "%s: passed in " % name in result.stdout


def test_run_sh_checks_the_lab_passwords_too(targets):
    name = "lab_%s" % uuid.uuid4().hex[:6]
    make_target(targets, name, LAB_RUNME)
    result = run_targets(targets, name)
    assert result.returncode != 0, result.stdout[-2000:]
    assert "the value of admin (set at passwords.json) is in the output" in result.stdout
