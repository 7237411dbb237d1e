# Sphinx configuration of the collection's docs site, used by tools/build_docs.sh
# (`make docs`). The sources are the RST that antsibull-docs writes from the collection
# (plugins, roles, and the hand-written pages of docs/docsite/).
#
# The build is offline: no intersphinx inventories are fetched. The only references
# that point outside this site are the ones antsibull-docs writes to the Ansible
# docsite; the local extension offline_refs.py turns those into plain links, and only
# those (see there). Every other warning fails the build (sphinx-build -W).
"""Sphinx configuration for the stackops.openstack docs site."""

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

project = 'stackops.openstack'
copyright = 'stackops maintainers'  # pylint: disable=redefined-builtin
title = 'stackops.openstack collection'
html_short_title = 'stackops.openstack'
html_title = 'stackops.openstack collection'

extensions = ['sphinx_antsibull_ext', 'offline_refs']

pygments_style = 'ansible'
highlight_language = 'YAML+Jinja'

html_theme = 'sphinx_ansible_theme'
# _templates/extrabody.html: the top bar links to this site's index, not to "/"
templates_path = ['_templates']
html_show_sphinx = False
html_use_smartypants = True
html_use_modindex = False
html_use_index = False
html_copy_source = False
html_theme_options = {
    'display_version': False,
}

default_role = 'any'
# a reference that does not resolve is a warning, and warnings fail the build
nitpicky = True
