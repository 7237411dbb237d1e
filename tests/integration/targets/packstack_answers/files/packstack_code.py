"""packstack 26's own answer-file code, run by the packstack_answers target with packstack's venv.

    packstack_code.py rewrite PATH      what `packstack --answer-file=PATH` does before it installs: every
                                        parameter of the enabled services through packstack's processors and
                                        validators (run_setup._handleParams), then the file written back
                                        (run_setup.generateAnswerFile); prints the non-secret values it read,
                                        the file's mode and the names of the keys whose values it changed
    packstack_code.py accepts PATH      only the processors and validators; exit 0 when packstack accepts the file
    packstack_code.py secrets A B       the names of the keys whose values differ between two answer files
                                        (secret ones apart), and whether the files are identical; never a value
    packstack_code.py tables            the module's packstack tables compared with the installed packstack, as
                                        JSON lists of what differs (all empty when they agree)

Every answer is printed as JSON on the last line of stdout. Host checks are packstack's: each *_HOST must
accept TCP on port 22 (runme.sh runs the play in a network namespace with a listener).
"""

import configparser
import contextlib
import io
import json
import os
import sys

from packstack.installer import run_setup

sys.path.insert(0, os.environ["STACKOPS_COLLECTIONS"])
from ansible_collections.stackops.openstack.plugins.module_utils import packstack_answers  # noqa: E402


def load():
    run_setup.loadPlugins()
    run_setup.initPluginsConfig()


def params():
    for group in run_setup.controller.getAllGroups():
        yield from group.parameters.itervalues()


def handle(path):
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run_setup._handleParams(path)  # pylint: disable=protected-access
    conf = dict(run_setup.controller.CONF)
    return {key: str(value) for key, value in conf.items() if key.startswith(("CONFIG_", "EXCLUDE_"))
            and not packstack_answers.is_secret(key)}


def read(path):
    parser = configparser.RawConfigParser()
    parser.optionxform = str
    parser.read(path)
    return dict(parser.items("general"))


def compare(first, second):
    """The keys whose values differ: secrets and the others apart (names only)."""
    differ = [key for key in sorted(set(first) | set(second)) if first.get(key) != second.get(key)]
    return {"secrets": [key for key in differ if packstack_answers.is_secret(key)],
            "others": [key for key in differ if not packstack_answers.is_secret(key)]}


def main(command, *args):
    load()
    if command == "rewrite":
        before = read(args[0])
        conf = handle(args[0])
        run_setup.generateAnswerFile(args[0])
        return dict(compare(before, read(args[0])), conf=conf, mode=oct(os.stat(args[0]).st_mode & 0o777))
    if command == "accepts":
        return {"conf": handle(args[0])}
    if command == "secrets":
        with open(args[0]) as first, open(args[1]) as second:
            same = first.read() == second.read()
        return dict(compare(read(args[0]), read(args[1])), same=same)
    if command == "tables":
        everything = list(params())
        real = {
            "KNOWN_KEYS": {p.CONF_NAME for p in everything},
            "MASKED_KEYS": {p.CONF_NAME for p in everything if p.MASK_INPUT},
            "GENERATED_PASSWORDS": {p.CONF_NAME for p in everything if p.DEFAULT_VALUE == "PW_PLACEHOLDER"
                                    and any(f.__name__ == "process_password" for f in p.PROCESSORS or [])},
            "BOOL_KEYS": {p.CONF_NAME for p in everything if any(f.__name__ == "process_bool" for f in p.PROCESSORS or [])},
            "YES_NO_KEYS": {p.CONF_NAME for p in everything
                            if not any(f.__name__ == "process_bool" for f in p.PROCESSORS or [])
                            and any(f.__name__ in ("validate_options", "validate_neutron") for f in p.VALIDATORS or [])
                            and sorted(p.OPTION_LIST or []) == ["n", "y"]},
            "DEPRECATED_KEYS": {(old, p.CONF_NAME) for p in everything for old in p.DEPRECATES or []},
        }
        ours = {name: set(getattr(packstack_answers, name)) for name in real}
        # every key of a group whose pre-condition is another key's value is in READ_WHEN with that condition
        read_when = {(p.CONF_NAME, group.PRE_CONDITION, group.PRE_CONDITION_MATCH)
                     for group in run_setup.controller.getAllGroups() if isinstance(group.PRE_CONDITION, str)
                     for p in group.parameters.itervalues()}
        ours_read_when = {(key,) + needs[0] for needs, keys in packstack_answers.READ_WHEN if len(needs) == 1
                          for key in keys}
        result = {"READ_WHEN": sorted(str(item) for item in read_when - ours_read_when)}
        ours["DEPRECATED_KEYS"] = set(packstack_answers.DEPRECATED_KEYS.items())
        result.update((name, sorted(str(item) for item in real[name] ^ ours[name])) for name in real)
        return result
    raise SystemExit("unknown command %s" % command)


if __name__ == "__main__":
    try:
        answer = main(*sys.argv[1:])
    except Exception as exc:  # pylint: disable=broad-exception-caught
        print(json.dumps({"error": str(exc)}))
        sys.exit(1)
    print(json.dumps(answer))
