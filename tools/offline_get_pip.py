"""Offline stand-in for the get-pip.py that ansible-test downloads to bootstrap pip.

ansible-test runs it as ``python get_pip.py [pip options] pip==X`` inside the venvs it
creates. Here ensurepip provides pip from the Python installation and pip itself then
installs the requested version (from PyPI or pip's cache), so no download of get-pip.py
is needed; GitHub and bootstrap.pypa.io are not reachable from our machines.
"""

import subprocess
import sys

IGNORED = {"--no-setuptools", "--no-wheel"}

subprocess.check_call([sys.executable, "-m", "ensurepip", "--default-pip"])
args = [arg for arg in sys.argv[1:] if arg not in IGNORED]
if args:
    subprocess.check_call([sys.executable, "-m", "pip", "install", "--upgrade", "--disable-pip-version-check"] + args)
