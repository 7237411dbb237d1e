"""What the lab scripts (galera_netns, podman_lab, openstack_lab) share as commands.

One-line errors instead of tracebacks, and the signals under which a lab must still
clean up: Ctrl-C, also when a shell started the script with `cmd &` (SIGINT ignored),
and SIGTERM from a CI timeout, both raised as KeyboardInterrupt where the script runs.
"""

from __future__ import annotations

import signal
import sys
from collections.abc import Callable


class LabError(Exception):
    """A failure worth a one-line message rather than a traceback."""


def shield() -> None:
    """From here on, finish rather than stop: a cleanup cut in half is what leaks."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_IGN)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def run_command(command: Callable[[], int | None]) -> int:
    """Run a parsed command; its exit status (0 for None), 1 after a LabError, 130 when interrupted."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    signal.signal(signal.SIGTERM, _interrupt)
    try:
        return command() or 0
    except LabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:  # e.g. piped into head
        return 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
