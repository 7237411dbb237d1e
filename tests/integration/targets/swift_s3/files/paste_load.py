"""Load a proxy-server.conf with paste.deploy, as swift-proxy does, and print what happened.

Run with the lab's Python. Prints "loaded" or the error's class and message (one line).
"""

import os
import sys

from paste.deploy import loadwsgi


def main():
    try:
        loadwsgi.appconfig("config:" + os.path.abspath(sys.argv[1]), name="proxy-server")
    except Exception as exc:  # the refusal is the answer: print it, do not crash
        print("%s: %s" % (type(exc).__name__, exc))
    else:
        print("loaded")


if __name__ == "__main__":
    main()
