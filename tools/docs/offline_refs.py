# Sphinx extension of the docs build (tools/docs/conf.py): references into the Ansible
# docsite, resolved without network.
#
# antsibull-docs writes two kinds of references that only the Ansible docsite defines
# (it expects an intersphinx inventory fetched from the Internet, which this build
# never does):
#   - labels of the docsite's own pages in its page templates (ANSIBLE_DOCSITE_LABELS);
#   - labels of other collections' plugins and options, from our docs' M(), O(), seealso
#     (ansible.builtin.apt, community.mysql.mysql_info, openstack.cloud.endpoint, ...).
# Those two, and nothing else, become links to docs.ansible.com, and the plugin ones
# only when the plugin really exists in the installed collection (or ansible-core).
# Any other reference that does not resolve stays a warning, and warnings fail the build:
# a typo in our own text is never hidden.
"""Resolve references into the Ansible docsite offline."""

import os
import re

import yaml
from docutils import nodes

ANSIBLE_DOCS = 'https://docs.ansible.com/ansible/latest/'

# label -> (page, title), for the labels antsibull-docs' templates point at
ANSIBLE_DOCSITE_LABELS = {
    'common_return_values': ('reference_appendices/common_return_values.html', 'Return Values'),
    'ansible_configuration_settings': ('reference_appendices/config.html', 'Ansible Configuration Settings'),
}

OWN_COLLECTION = 'stackops.openstack'

_PLUGIN_LABEL = re.compile(
    r'^ansible_collections\.(?P<namespace>[a-z0-9_]+)\.(?P<name>[a-z0-9_]+)'
    r'\.(?P<plugin>[a-z0-9_]+)_(?P<type>module|role|filter|test|lookup|callback|connection|inventory)'
    r'(?:__(?P<anchor>[^ ]+))?$'
)

# where a plugin of each type lives inside a collection, and inside ansible-core
# (whose filters and tests are documented in .yml files beside the code)
_COLLECTION_PATHS = {
    'module': ['plugins/modules/{}.py'],
    'role': ['roles/{}'],
    'filter': ['plugins/filter/{}.py', 'plugins/filter/{}.yml'],
    'test': ['plugins/test/{}.py', 'plugins/test/{}.yml'],
    'lookup': ['plugins/lookup/{}.py'],
    'callback': ['plugins/callback/{}.py'],
    'connection': ['plugins/connection/{}.py'],
    'inventory': ['plugins/inventory/{}.py'],
}


def _plugin_roots(namespace, name):
    """Directories that may hold the collection namespace.name."""
    if (namespace, name) == ('ansible', 'builtin'):
        import ansible  # pylint: disable=import-outside-toplevel

        return [os.path.dirname(ansible.__file__)]
    return [
        os.path.join(root, 'ansible_collections', namespace, name)
        for root in os.environ.get('ANSIBLE_COLLECTIONS_PATH', '').split(os.pathsep)
        if root
    ]


def _plugin_exists(namespace, name, plugin, plugin_type):
    """True when the plugin is in ansible-core or in a collection on ANSIBLE_COLLECTIONS_PATH."""
    patterns = _COLLECTION_PATHS[plugin_type]
    if (namespace, name) == ('ansible', 'builtin'):
        # ansible-core keeps its modules in ansible/modules, not ansible/plugins/modules
        patterns = [pattern.replace('plugins/modules/', 'modules/') for pattern in patterns]
    return any(
        os.path.exists(os.path.join(root, pattern.format(plugin)))
        for root in _plugin_roots(namespace, name)
        for pattern in patterns
    )


def _redirect(namespace, name, plugin, plugin_type):
    """The FQCN a removed or renamed plugin is routed to (meta/runtime.yml), or None.

    Other collections' doc fragments still name plugins that moved, such as
    ansible.builtin.yum (a task named so runs ansible.builtin.dnf since ansible-core
    2.17: ansible-core routes it through its action plugins, so modules look there too).
    """
    sections = [plugin_type + 's'] + (['action'] if plugin_type == 'module' else [])
    for root in _plugin_roots(namespace, name):
        for runtime in ('meta/runtime.yml', 'config/ansible_builtin_runtime.yml'):
            path = os.path.join(root, runtime)
            if not os.path.exists(path):
                continue
            with open(path, encoding='utf-8') as handle:
                routing = (yaml.safe_load(handle) or {}).get('plugin_routing') or {}
            for section in sections:
                entry = (routing.get(section) or {}).get(plugin) or {}
                if entry.get('redirect'):
                    return entry['redirect']
    return None


def _target_url(target):
    """(URL on docs.ansible.com, title) for a label, or None when it is not one to resolve."""
    if target in ANSIBLE_DOCSITE_LABELS:
        page, title = ANSIBLE_DOCSITE_LABELS[target]
        return ANSIBLE_DOCS + page, title
    match = _PLUGIN_LABEL.match(target)
    if match is None:
        return None
    namespace, name, plugin, plugin_type = match.group('namespace', 'name', 'plugin', 'type')
    if '{}.{}'.format(namespace, name) == OWN_COLLECTION:
        return None  # our own labels are defined on this site; a miss is a real error
    if not _plugin_exists(namespace, name, plugin, plugin_type):
        redirect = _redirect(namespace, name, plugin, plugin_type)
        parts = redirect.split('.') if redirect else []
        if len(parts) != 3 or not _plugin_exists(parts[0], parts[1], parts[2], plugin_type):
            return None
        namespace, name, plugin = parts
        match = None  # the redirect target's own options may differ: no anchor
    url = '{}collections/{}/{}/{}_{}.html'.format(ANSIBLE_DOCS, namespace, name, plugin, plugin_type)
    anchor = match.group('anchor') if match else None
    if anchor:
        # label parameter-main__opt is the HTML id parameter-main--opt on the docsite
        url += '#' + anchor.replace('__', '--')
    return url, '{}.{}.{}'.format(namespace, name, plugin)


_RESOLVED = []


def _missing_reference(app, env, node, contnode):  # pylint: disable=unused-argument
    if node.get('refdomain') != 'std' or node.get('reftype') != 'ref':
        return None
    target = node.get('reftarget', '')
    found = _target_url(target)
    if found is None:
        return None
    url, title = found
    _RESOLVED.append(target)
    reference = nodes.reference('', '', internal=False, refuri=url)
    if node.get('refexplicit'):
        reference += contnode
    else:
        reference += nodes.inline(title, title)
    return reference


def _report(app, exception):  # pylint: disable=unused-argument
    if exception is None:
        print('offline_refs: {} references ({} targets) linked to {}'.format(
            len(_RESOLVED), len(set(_RESOLVED)), ANSIBLE_DOCS))


def setup(app):
    """Register the missing-reference handler."""
    app.connect('missing-reference', _missing_reference)
    app.connect('build-finished', _report)
    # the count above is kept in this process: no parallel writing
    return {'parallel_read_safe': True, 'parallel_write_safe': False}
