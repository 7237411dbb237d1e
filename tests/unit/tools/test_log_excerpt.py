"""tools/log_excerpt.sh --brief: the few lines make test repeats at its end when a lab job failed."""

from __future__ import annotations

import subprocess
from pathlib import Path

SCRIPT = Path(__file__).resolve().parents[3] / "tools" / "log_excerpt.sh"

# the shape of an ansible-core 2.19 run with the yaml result format, as in our logs
FAILED_RUN = """\
TASK [A refusal the test expects] **********************************************
Thursday 03 December 2026  18:31:57 +0000 (0:00:01.455)       0:01:42.915 *****
[ERROR]: Task failed: Module failed: cannot read the quotas
Origin: /work/main/tests/integration/targets/compute_day2/tasks/quotas.yml:12:7

12     - name: A refusal the test expects
         ^ column 7

fatal: [localhost]: FAILED! =>
    changed: false
    msg: cannot read the quotas
...ignoring

TASK [Aggregates | the playbook] ***********************************************
Thursday 03 December 2026  18:43:36 +0000 (0:00:01.000)       0:05:00.000 *****
[ERROR]: Task failed: Module failed: non-zero return code
Origin: /work/main/tests/integration/targets/compute_day2/tasks/aggregates.yml:155:7

155     - name: Aggregates | the playbook
          ^ column 7

fatal: [localhost]: FAILED! =>
    changed: false
    delta: '0:00:14.257289'
    msg: non-zero return code
    rc: 2
    stdout: |4-

        RUNNING HANDLER [stackops.openstack.compute_aggregates : Restart nova-scheduler] ***
        [ERROR]: Task failed: Module failed: Traceback (most recent call last):
          File "/work/main/tests/lab/openstack_lab.py", line 205, in start
        FileNotFoundError: [Errno 2] No such file or directory: 'nova-scheduler'

        Origin: /work/main/roles/compute_aggregates/handlers/main.yml:2:3

TASK [Aggregates | clean up - the aggregate] ***********************************
fatal: [localhost]: FAILED! =>
    msg: MessageDeliveryFailure

PLAY RECAP *********************************************************************
localhost                  : ok=89   changed=38   unreachable=0    failed=2    skipped=0    rescued=0    ignored=1
"""


def brief(tmp_path: Path, text: str) -> list[str]:
    log = tmp_path / "job.log"
    log.write_text(text)
    result = subprocess.run([str(SCRIPT), "--brief", str(log)], capture_output=True, text=True, check=True)
    return result.stdout.splitlines()


def test_the_first_error_not_ignored_with_the_inner_playbook_error(tmp_path):
    lines = brief(tmp_path, FAILED_RUN)
    assert lines[0] == "    TASK [Aggregates | the playbook]"
    assert lines[1] == "    [ERROR]: Task failed: Module failed: non-zero return code"
    assert "    fatal: [localhost]: FAILED! =>" in lines
    assert (
        "      inner: RUNNING HANDLER [stackops.openstack.compute_aggregates : Restart nova-scheduler]: "
        "FileNotFoundError: [Errno 2] No such file or directory: 'nova-scheduler'"
    ) in lines
    assert lines[-1] == "    (and 1 more failed task(s) after it)"
    text = "\n".join(lines)
    assert "refusal the test expects" not in text
    assert "Origin:" not in text and "column" not in text and "delta:" not in text
    assert len(lines) <= 12


def test_long_lines_are_cut(tmp_path):
    lines = brief(tmp_path, "TASK [x] ***\nfatal: [h]: FAILED! => " + "y" * 500 + "\n")
    assert lines[0] == "    TASK [x]"
    assert len(lines[1]) == 4 + 200


def test_a_log_without_an_error_ends_with_its_last_lines(tmp_path):
    lines = brief(tmp_path, "one\n\ntwo\nthree\nfour\n")
    assert lines == ["    (no error line; the log ends with:)", "    two", "    three", "    four"]


def test_a_log_in_colour_reads_the_same(tmp_path):
    """make test's integration logs carry ANSI colours (ANSIBLE_FORCE_COLOR)."""
    coloured = "\n".join(f"\x1b[0;31m{line}\x1b[0m" if line.startswith(("fatal", "[ERROR]")) else line for line in FAILED_RUN.splitlines())
    assert brief(tmp_path, coloured + "\n") == brief(tmp_path, FAILED_RUN)
