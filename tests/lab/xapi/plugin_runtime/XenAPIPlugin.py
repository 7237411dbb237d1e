# pylint: disable=invalid-name
"""A stand-in for dom0's XenAPIPlugin module, on the PYTHONPATH of plugins the XAPI simulator runs.

Plugins call ``dispatch({name: function})``; the simulator hands the call over in argv[1] as an
XML-RPC methodCall (session, args struct) and reads a methodResponse whose single value is a
XenAPI reply struct.  The session object handed to the function talks back to the simulator's
Unix socket (XAPI_LAB_SOCKET), as a real plugin's does to /var/lib/xcp/xapi.
"""

from __future__ import annotations

import os
import sys
import xmlrpc.client


class Failure(Exception):
    """Raised by a plugin to fail with a XenAPI error code and parameters."""

    def __init__(self, code, params):
        super().__init__(code, params)
        self.params = [code, *params]


def reply(struct: dict) -> str:
    return xmlrpc.client.dumps((struct,), methodresponse=True)


def local_session(session_ref: str):
    """A XenAPI session bound to the caller's session, or None when XenAPI is not importable."""
    try:
        import XenAPI  # pylint: disable=import-outside-toplevel
    except ImportError:
        return None
    socket_path = os.environ.get("XAPI_LAB_SOCKET", "/var/lib/xcp/xapi")
    session = XenAPI.Session("http://" + socket_path.replace("/", "_") + "/", transport=XenAPI.UDSTransport())
    session._session = session_ref  # pylint: disable=protected-access
    return session


def dispatch(functions: dict) -> None:
    if len(sys.argv) != 2:
        raise SystemExit("usage: a XAPI plugin takes the XML-RPC call as its only argument")
    (session_ref, args), method = xmlrpc.client.loads(sys.argv[1])
    if method not in functions:
        print(reply({"Status": "Failure", "ErrorDescription": ["UNKNOWN_XENAPI_PLUGIN_FUNCTION", method]}))
        return
    try:
        print(reply({"Status": "Success", "Value": functions[method](local_session(session_ref), args)}))
    except Failure as failure:
        print(reply({"Status": "Failure", "ErrorDescription": [str(item) for item in failure.params]}))
    except Exception as exc:  # pylint: disable=broad-exception-caught
        print(reply({"Status": "Failure", "ErrorDescription": ["XENAPI_PLUGIN_FAILURE", method, type(exc).__name__, str(exc)]}))
