"""Read a nova.conf with nova's own XenAPI option definitions, taken from a nova wheel.

    check_nova_conf.py WHEEL NOVA_CONF EXPECTED_JSON

nova/conf/xenserver.py is loaded on its own (it needs oslo.config and oslo.utils only), not
through nova's package, which would import all of nova. Prints a JSON report: the options of the
file that nova does not define (nova would ignore them silently), and the values oslo.config
parsed for each expected option that differ from the expected ones. Exit status 0 when both are
empty.
"""

import configparser
import json
import sys
import types
import zipfile

from oslo_config import cfg


def xenserver_options(wheel):
    with zipfile.ZipFile(wheel) as archive:
        source = archive.read("nova/conf/xenserver.py").decode()
    module = types.ModuleType("nova_conf_xenserver")
    exec(compile(source, "nova/conf/xenserver.py", "exec"), module.__dict__)  # pylint: disable=exec-used
    return module


def main():
    wheel, path, expected = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    nova_xenserver = xenserver_options(wheel)
    conf = cfg.ConfigOpts()
    nova_xenserver.register_opts(conf)
    # nova/conf/compute.py defines compute_driver as a plain string option; its module imports
    # much of nova, so the one option is declared here with the same name and type
    conf.register_opt(cfg.StrOpt("compute_driver"))
    conf(args=[], default_config_files=[path], project="nova")
    defined = {"DEFAULT": {"compute_driver"}, "xenserver": {opt.dest for opt in nova_xenserver.ALL_XENSERVER_OPTS}}
    parser = configparser.RawConfigParser(default_section="no-such-section")
    parser.optionxform = str
    parser.read(path)
    unknown = sorted("[%s] %s" % (section, option) for section in parser.sections() for option in parser.options(section)
                     if option not in defined.get(section, set()))
    differing = {}
    for section, options in expected.items():
        group = conf if section == "DEFAULT" else conf[section]
        for option, value in options.items():
            parsed = group[option]
            if str(parsed) != str(value):
                differing["[%s] %s" % (section, option)] = "parsed a different value" if "password" in option else str(parsed)
    print(json.dumps({"unknown": unknown, "differing": differing, "xenserver_options": len(defined["xenserver"])}))
    return 0 if not unknown and not differing else 1


if __name__ == "__main__":
    sys.exit(main())
