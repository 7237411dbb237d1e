"""tools/awx_job_templates.py: surveys from argument specs, AWX's survey rules, and docs/awx/ up to date.

Run: .venv/bin/python -m pytest -q tests/unit/tools/test_awx_job_templates.py
"""

import importlib.util
import sys
from pathlib import Path

import jinja2
import pytest
import yaml
from ansible.module_utils.common.arg_spec import ArgumentSpecValidator

REPO = Path(__file__).resolve().parents[3]
SCRIPT = REPO / "tools" / "awx_job_templates.py"
AWX_MODULES = Path(__import__("ansible_collections.awx.awx", fromlist=["x"]).__path__[0]) / "plugins" / "modules"


def load():
    spec = importlib.util.spec_from_file_location("awx_job_templates", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


awx = load()


class _Loader(yaml.SafeLoader):
    """YAML as Ansible reads it, as far as these files go (!unsafe strings)."""


_Loader.add_constructor("!unsafe", lambda loader, node: loader.construct_scalar(node))


def read_task(path, module):
    tasks = yaml.load(path.read_text(), Loader=_Loader)
    assert len(tasks) == 1 and module in tasks[0], path
    return tasks[0][module]


# ---------------------------------------------------------------- questions from argument specs


@pytest.mark.parametrize("option, expected, unanswered", [
    ({"type": "bool", "default": True, "description": "On."},
     {"type": "multiplechoice", "choices": ["true", "false"], "required": False}, "true"),
    ({"type": "bool", "description": "Unset leaves it."},
     {"type": "multiplechoice", "choices": ["true", "false"], "required": False}, "empty"),
    ({"type": "str", "choices": ["current", "legacy"], "default": "current", "description": "x"},
     {"type": "multiplechoice", "choices": ["current", "legacy"]}, "current"),
    ({"type": "list", "elements": "str", "choices": ["a", "b", "c"], "default": ["a", "c"], "description": "x"},
     {"type": "multiselect", "choices": ["a", "b", "c"]}, "['a', 'c']"),
    ({"type": "int", "default": 600, "description": "x"}, {"type": "integer"}, "600"),
    ({"type": "float", "default": 1.5, "description": "x"}, {"type": "float"}, "1.5"),
    ({"type": "str", "default": "", "description": "x"}, {"type": "text"}, "empty"),
    ({"type": "path", "default": "", "description": "x"}, {"type": "text"}, "empty"),
    ({"type": "str", "default": "", "no_log": True, "description": "x"}, {"type": "password"}, "empty"),
    ({"type": "str", "required": True, "description": "x"}, {"type": "text", "required": True}, None),
    ({"type": "str", "required": True, "default": "x", "no_log": True}, {"type": "password", "required": True}, None),
    ({"description": "no type is str", "default": ""}, {"type": "text"}, "empty"),
])
def test_question_types_and_no_defaults(option, expected, unanswered):
    """Optional questions carry no default: unanswered, the inventory's value or the role's default holds."""
    question = awx.survey_question("some_var", option, label="Some var")
    for key, value in expected.items():
        assert question[key] == value, key
    assert "default" not in question
    assert question["variable"] == "some_var"
    assert question["question_description"].endswith("(some_var)")
    if unanswered is None:
        assert "Unanswered" not in question["question_description"]
    else:
        assert f"Unanswered: the inventory's value, else the default ({unanswered})." in question["question_description"]


@pytest.mark.parametrize("option", [
    {"type": "str", "default": "RegionOne"},
    {"type": "path", "default": "/etc/nova/nova.conf"},
    {"type": "str"},
])
def test_text_whose_empty_answer_is_not_the_default_is_refused(option):
    """AWX may send an empty string for a blank text answer: only options whose default is empty can be asked."""
    with pytest.raises(ValueError, match="a blank answer may reach the role as an empty string"):
        awx.survey_question("some_var", option, label="x")


@pytest.mark.parametrize("option", [
    {"type": "dict", "default": {}},
    {"type": "list", "elements": "str", "default": []},
    {"type": "list", "elements": "dict"},
    {"type": "raw"},
])
def test_dicts_and_open_lists_cannot_be_asked(option):
    with pytest.raises(ValueError, match="a survey cannot ask for it"):
        awx.survey_question("some_var", option, label="x")


def test_override_makes_a_required_question_with_a_default_and_says_why():
    override = {"default": "galera", "required": True, "why": "the playbook's hosts"}
    question = awx.survey_question("x_group", {"type": "str", "default": "galera", "description": "Group."},
                                   label="Group", override=override)
    assert question["default"] == "galera" and question["required"] is True
    assert "Survey default: galera (the playbook's hosts)." in question["question_description"]
    secret = awx.survey_question("x_password", {"type": "str", "no_log": True, "default": ""}, label="P",
                                 override=override)
    assert "default" not in secret


def test_description_markup_is_plain_text():
    text = awx.plain_text(["See O(galera_cluster_group), V(mariabackup) and C(wsrep_%).",
                           "The P(stackops.openstack.galera_bootstrap_choice#filter) filter, M(stackops.openstack.x)."])
    assert text == ("See galera_cluster_group, mariabackup and wsrep_%. "
                    "The stackops.openstack.galera_bootstrap_choice filter, stackops.openstack.x.")


@pytest.mark.parametrize("variable, label", [
    ("galera_cluster_force_bootstrap_node", "Force bootstrap node"),
    ("galera_cluster_group", "Galera cluster group"),
    ("db_cluster_lbaas_idle_timeout", "Lbaas idle timeout"),
    ("other_name", "Other name"),
])
def test_labels(variable, label):
    assert awx.question_label(variable, {"galera_cluster", "db_cluster"}) == label


def test_survey_of_an_unknown_variable_names_it():
    playbook = awx.Playbook(name="p", summary="s", roles=("r",), survey=("r_missing",))
    with pytest.raises(KeyError, match="r_missing is in no argument spec of r"):
        awx.survey_spec(playbook, {"r_other": {"type": "str"}})


# ---------------------------------------------------------------- AWX's rules and launch-time extra vars


def question(**kwargs):
    base = {"question_name": "Q", "question_description": "", "variable": "v", "type": "text", "required": False}
    base.update(kwargs)
    return base


@pytest.mark.parametrize("item, error", [
    (question(type="checkbox"), "type 'checkbox' is not one of"),
    (question(required="no"), "'required' must be a boolean"),
    (question(type="integer", default="5"), "does not fit a integer question"),
    (question(type="multiplechoice"), "needs a list of choices"),
    (question(type="multiplechoice", choices=["a", "b"], default="c"), "is not among the choices"),
    (question(type="multiplechoice", choices=["a", "b"], default="a\nb"), "has one default"),
    (question(type="password", default="x"), "a password question has no default"),
    (question(variable=""), "'variable' must be a non-empty string"),
    (question(min="1"), "'min' must be an integer"),
])
def test_awx_would_refuse(item, error):
    errors = awx.validate_survey_spec({"name": "n", "description": "d", "spec": [item]})
    assert any(error in message for message in errors), errors


def test_awx_refuses_an_empty_survey_and_a_duplicate():
    assert awx.validate_survey_spec({"name": "n", "description": "d", "spec": []}) == ["'spec' has no question"]
    errors = awx.validate_survey_spec({"name": "n", "description": "d", "spec": [question(), question()]})
    assert errors == ["question 1 (v): variable asked twice"]


TEMPLATE = {
    "extra_vars": "{{ {'fixed': 1, 'cloud': 'devstack'} if stackops_awx_openstack_credential | default('') else {'fixed': 1} }}",
    "survey_enabled": True,
    "survey_spec": {"name": "n", "description": "d", "spec": [
        question(variable="text_default", default="galera"),
        question(variable="text_blank"),
        question(variable="secret", type="password"),
        question(variable="flag", type="multiplechoice", choices=["true", "false"], default="false"),
        question(variable="maybe", type="multiplechoice", choices=["true", "false"]),
        question(variable="count", type="integer", default=600),
        question(variable="pick", type="multiselect", choices=["a", "b"], default="a\nb"),
        question(variable="must", required=True),
    ]},
}


def test_extra_vars_as_awx_builds_them():
    """Answers, else defaults, else '' for blank text; an unanswered choice without a default sends nothing."""
    extra = awx.survey_extra_vars(TEMPLATE, {"must": "x", "flag": "true"})
    assert extra == {"fixed": 1, "text_default": "galera", "text_blank": "", "secret": "", "flag": "true",
                     "count": 600, "pick": ["a", "b"], "must": "x"}
    assert "maybe" not in extra
    with_credential = awx.survey_extra_vars(TEMPLATE, {"must": "x"}, {"stackops_awx_openstack_credential": "overcloud"})
    assert with_credential["cloud"] == "devstack" and with_credential["flag"] == "false"


@pytest.mark.parametrize("value, error", [
    ("cloud: devstack", "neither a dict nor one Jinja expression"),
    ("{{ ['a'] }}", "not a dict"),
])
def test_extra_vars_must_render_to_a_dict(value, error):
    with pytest.raises(ValueError, match=error):
        awx.render_extra_vars(value, {})


@pytest.mark.parametrize("answers, error", [
    ({}, "must: the survey requires an answer"),
    ({"must": "x", "flag": True}, "flag: True is not an answer to a multiplechoice question"),
    ({"must": "x", "count": "600"}, "count: '600' is not an answer to a integer question"),
    ({"must": "x", "pick": ["c"]}, "pick: \\['c'\\] is not an answer to a multiselect question"),
    ({"must": "x", "other": 1}, "no survey question for other"),
])
def test_launch_answers_are_checked(answers, error):
    with pytest.raises(ValueError, match=error):
        awx.survey_extra_vars(TEMPLATE, answers)


def test_requirements_pin_the_major_version():
    assert awx.requirements("1.4.2") == {"collections": [{"name": "stackops.openstack", "version": ">=1.0.0,<2.0.0"}]}


# ---------------------------------------------------------------- the generated files


def test_docs_awx_is_up_to_date():
    """Fails when an argument spec (or the tool) changed and docs/awx/ was not generated again."""
    outdated = awx.stale(REPO, awx.render(REPO))
    assert not outdated, (
        "docs/awx/ is out of date with the roles' argument specs; run .venv/bin/python tools/awx_job_templates.py: "
        + ", ".join(outdated))


def test_every_playbook_has_a_job_template_and_a_wrapper():
    playbooks = sorted(path.stem for path in (REPO / "playbooks").glob("*.yml"))
    assert sorted(path.stem for path in (REPO / "docs/awx/job_templates").glob("*.yml")) == playbooks
    for name in playbooks:
        wrapper = yaml.safe_load((REPO / "docs/awx/project" / f"{name}.yml").read_text())
        assert wrapper[0]["ansible.builtin.import_playbook"] == f"stackops.openstack.{name}"


def module_spec(name):
    """The argument spec of an awx.awx module, from its documentation."""
    source = (AWX_MODULES / f"{name}.py").read_text()
    documentation = source.split("DOCUMENTATION = '''", 1)[1].split("'''", 1)[0]
    options = yaml.safe_load(documentation)["options"]
    options.update({"controller_host": {"type": "str"}})  # from the collection's doc fragment

    def convert(opts):
        spec = {}
        for option, doc in opts.items():
            spec[option] = {key: doc[key] for key in ("type", "elements", "choices", "aliases") if key in doc}
            if "suboptions" in doc:
                spec[option]["options"] = convert(doc["suboptions"])
        return spec

    return convert(options)


SAMPLE_VARS = {
    "stackops_awx_organization": "Default", "stackops_awx_project": "ops", "stackops_awx_inventory": "openstack",
    "stackops_awx_execution_environment": "", "stackops_awx_machine_credential": "ssh",
    "stackops_awx_openstack_credential": "overcloud", "stackops_awx_galera_cluster_credential": "",
    "omit": "__omit__",
}


def rendered(value, key=None):
    """The task arguments as load.yml's variables make them (Jinja expressions to their values, omit dropped)."""
    if isinstance(value, dict) and key != "survey_spec":
        out = {name: rendered(item, name) for name, item in value.items()}
        return {name: item for name, item in out.items() if item != "__omit__"}
    if isinstance(value, str) and value.startswith("{{") and value.endswith("}}"):
        return jinja2.Environment().compile_expression(value[2:-2].strip())(**SAMPLE_VARS)
    return value


@pytest.mark.parametrize("path", sorted((REPO / "docs/awx/job_templates").glob("*.yml")), ids=lambda p: p.stem)
def test_job_templates_are_valid_awx_job_template_arguments(path):
    args = rendered(read_task(path, "awx.awx.job_template"))
    result = ArgumentSpecValidator(module_spec("job_template")).validate(args)
    assert not result.error_messages, result.error_messages
    assert "execution_environment" not in args and args["credentials"][0] == "ssh"
    assert args["playbook"] == f"{path.stem}.yml"
    assert awx.validate_survey_spec(args["survey_spec"]) == []
    assert args["survey_enabled"] is True


@pytest.mark.parametrize("name, cloud", [("db_cluster", "lbaas_pool_cloud"), ("swift_s3", "swift_s3api_cloud")])
def test_openstack_playbooks_take_the_openstack_credential_and_its_cloud(name, cloud):
    """With an OpenStack credential attached, the job template names the cloud AWX writes for it; without, nothing."""
    args = rendered(read_task(REPO / "docs/awx/job_templates" / f"{name}.yml", "awx.awx.job_template"))
    assert args["credentials"] == ["ssh", "overcloud"]
    assert args["extra_vars"] == {cloud: "devstack"}
    template = read_task(REPO / "docs/awx/job_templates" / f"{name}.yml", "awx.awx.job_template")
    assert awx.render_extra_vars(template["extra_vars"], {"stackops_awx_openstack_credential": ""}) == {}
    assert cloud not in [item["variable"] for item in template["survey_spec"]["spec"]]


def test_only_the_group_and_required_questions_have_defaults():
    """Unanswered optional questions must not override the inventory."""
    for path in sorted((REPO / "docs/awx/job_templates").glob("*.yml")):
        for item in read_task(path, "awx.awx.job_template")["survey_spec"]["spec"]:
            if "default" in item:
                assert item["variable"] == "galera_cluster_group" and item["required"], (path.name, item)


def test_secrets_are_password_questions_without_default():
    for path in sorted((REPO / "docs/awx/job_templates").glob("*.yml")):
        for item in read_task(path, "awx.awx.job_template")["survey_spec"]["spec"]:
            if any(word in item["variable"] for word in ("password", "_uri")):
                assert item["type"] == "password" and "default" not in item, (path.name, item["variable"])


def test_credential_type_injects_the_galera_secrets_as_extra_vars():
    args = read_task(REPO / "docs/awx/credential_types/galera_cluster.yml", "awx.awx.credential_type")
    result = ArgumentSpecValidator(module_spec("credential_type")).validate(args)
    assert not result.error_messages, result.error_messages
    ids = [item["id"] for item in args["inputs"]["fields"]]
    assert set(ids) == {"galera_cluster_sst_password", "galera_cluster_root_password",
                        "galera_cluster_clustercheck_password", "galera_cluster_pxc_ssl_key"}
    assert all(item["secret"] for item in args["inputs"]["fields"])
    assert args["injectors"]["extra_vars"] == {name: "{{ " + name + " }}" for name in ids}
    # Ansible must hand AWX the injector templates untouched
    assert "!unsafe '{{ galera_cluster_sst_password }}'" in (REPO / "docs/awx/credential_types/galera_cluster.yml").read_text()


def test_secret_looking_role_options_are_no_log():
    """The generator finds secrets by no_log; an option named like one (by the leak checker's rule) without it
    would become a text question with its default shown."""
    spec = importlib.util.spec_from_file_location("check_secret_leaks", REPO / "tools" / "check_secret_leaks.py")
    leaks = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(leaks)
    checked = 0
    for spec_file in sorted(REPO.glob("roles/*/meta/argument_specs.yml")):
        options = yaml.safe_load(spec_file.read_text())["argument_specs"]["main"]["options"]
        for name, option in options.items():
            if leaks.is_secret_name(name):
                assert option.get("no_log") is True, f"{spec_file}: {name}"
                checked += 1
    assert checked >= 8
