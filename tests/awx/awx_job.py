"""Run a playbook of the collection the way an AWX job template runs it, and count its job events.

As AWX does it:
  project update  the project (docs/awx/project: the wrapper playbooks and collections/requirements.yml,
                  here pointing at the collection's tarball) and `ansible-galaxy collection install -r
                  collections/requirements.yml` into the job's collections path;
  launch          extra variables from the job template's survey (docs/awx/job_templates/<playbook>.yml):
                  each answer given, else the question's default, else '' for a blank text question;
  job             `ansible-runner run` in a private data directory with the project, the inventory and
                  env/extravars, in an environment without the caller's ANSIBLE_* settings;
  events          the job events ansible-runner wrote (artifacts/<ident>/job_events), counted per task
                  (ok, changed, failed, skipped, unreachable, ignored), the recap per host, the messages
                  of debug tasks (e.g. the Galera status table).

    .venv/bin/python tests/awx/awx_job.py --playbook galera_status --inventory INV [--answers '{"galera_cluster_group": "db"}']
        [--job-type check] [--diff] [--limit PATTERN] [--expect-rc N] [--summary FILE] [--secrets-from PATH]
        [--secrets-json FILE]

It prints the counts and the recap; --summary writes them as JSON for assertions. The exit status is
0 when the job's rc is --expect-rc (default 0), and 1 otherwise (with the end of the job's output).
--secrets-from and --secrets-json run tools/check_secret_leaks.py over the job's output (the survey's
answers are always checked). The collection tarball is built once per change of the collection (.build/awx/dist) and
installed once per tarball (.build/awx/collections/<digest>), under a lock: parallel jobs share them.
"""

from __future__ import annotations

import argparse
import fcntl
import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
WORK = REPO / ".build" / "awx"
VENV_BIN = REPO / ".venv" / "bin"
# what the tarball is made of (galaxy.yml's build_ignore leaves out the rest)
COLLECTION_PARTS = ("galaxy.yml", "README.md", "CHANGELOG.rst", "LICENSE", "requirements.txt", "meta", "plugins", "roles",
                    "playbooks", "docs", "changelogs")
HOST_EVENTS = {
    "runner_on_ok": "ok", "runner_on_failed": "failed", "runner_on_skipped": "skipped",
    "runner_on_unreachable": "unreachable",
}


def _load_generator():
    spec = importlib.util.spec_from_file_location("awx_job_templates", REPO / "tools" / "awx_job_templates.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


# ---------------------------------------------------------------- pure helpers


def summarize(events: list[dict]) -> dict:
    """Counts per task (in the order tasks first ran), the recap per host, debug messages, status lines.

    A task's counts are per host (loop items are not counted twice); a changed result counts as changed,
    not ok; a failure with ignore_errors counts as ignored.
    """
    tasks: dict[tuple, dict] = {}
    messages: dict[str, list] = {}
    stats: dict[str, dict] = {}
    failures = []
    for event in sorted(events, key=lambda item: item.get("counter", 0)):
        kind = event.get("event")
        data = event.get("event_data") or {}
        if kind == "playbook_on_stats":
            for key in ("ok", "changed", "failures", "skipped", "dark", "ignored", "rescued"):
                for host, count in (data.get(key) or {}).items():
                    stats.setdefault(host, {})[key] = count
            continue
        if kind not in HOST_EVENTS:
            continue
        name = data.get("task") or data.get("task_action") or "?"
        entry = tasks.setdefault((data.get("play"), name), {
            "play": data.get("play"), "task": name, "action": data.get("task_action"),
            "ok": 0, "changed": 0, "failed": 0, "skipped": 0, "unreachable": 0, "ignored": 0})
        result = data.get("res") or {}
        outcome = HOST_EVENTS[kind]
        if outcome == "ok" and result.get("changed"):
            outcome = "changed"
        if outcome == "failed" and data.get("ignore_errors"):
            outcome = "ignored"
        entry[outcome] += 1
        if outcome == "failed":
            failures.append({"task": name, "host": data.get("host"), "msg": result.get("msg", "")})
        if data.get("task_action") in ("debug", "ansible.builtin.debug") and "msg" in result:
            messages.setdefault(name, []).append(result["msg"])
    for host_stats in stats.values():
        for key in ("ok", "changed", "failures", "skipped", "dark", "ignored", "rescued"):
            host_stats.setdefault(key, 0)
    # per task name, added up over plays, only the outcomes that happened: {"Read the status": {"ok": 3}}
    counts: dict[str, dict] = {}
    for entry in tasks.values():
        total = counts.setdefault(entry["task"], {})
        for key in ("ok", "changed", "failed", "skipped", "unreachable", "ignored"):
            if entry[key]:
                total[key] = total.get(key, 0) + entry[key]
    return {"tasks": list(tasks.values()), "counts": counts, "stats": stats, "messages": messages, "failures": failures}


def task_counts(summary: dict, name: str) -> dict:
    """The counts of the task(s) of that name, added up over plays."""
    total = {"ok": 0, "changed": 0, "failed": 0, "skipped": 0, "unreachable": 0, "ignored": 0}
    for entry in summary["tasks"]:
        if entry["task"] == name:
            for key in total:
                total[key] += entry[key]
    return total


def format_summary(summary: dict, status: str, rc: int, seconds: float) -> str:
    width = max([len(entry["task"]) for entry in summary["tasks"]] + [4])
    width = min(width, 64)
    lines = [f"{'task':<{width}}  ok chg fail skip unr ign"]
    for entry in summary["tasks"]:
        lines.append(f"{entry['task'][:width]:<{width}} {entry['ok']:3d} {entry['changed']:3d} {entry['failed']:4d}"
                     f" {entry['skipped']:4d} {entry['unreachable']:3d} {entry['ignored']:3d}")
    lines.append("recap: " + "; ".join(
        f"{host} ok={item['ok']} changed={item['changed']} failed={item['failures']} skipped={item['skipped']}"
        f" unreachable={item['dark']}" for host, item in sorted(summary["stats"].items())))
    lines.append(f"status={status} rc={rc} events counted over {len(summary['tasks'])} tasks in {seconds:.1f} s")
    return "\n".join(lines)


def project_requirements(tarball: Path) -> dict:
    """collections/requirements.yml of the test project: the AWX project's, with the tarball as the source."""
    return {"collections": [{"name": str(tarball), "type": "file"}]}


def job_environment(environ: dict, collections: Path) -> dict:
    """The job's environment: none of the caller's Ansible or molecule settings (AWX starts from a clean
    EE), the collection path of the project update first, then the default ones."""
    env = {key: value for key, value in environ.items()
           if not key.startswith(("ANSIBLE_", "MOLECULE_", "OS_", "PY_COLORS"))}
    env["PATH"] = f"{VENV_BIN}:{env.get('PATH', '/usr/bin:/bin')}"
    env["ANSIBLE_COLLECTIONS_PATH"] = f"{collections}:~/.ansible/collections:/usr/share/ansible/collections"
    env["ANSIBLE_NOCOLOR"] = "1"
    env["ANSIBLE_FORCE_COLOR"] = "0"
    return env


# ---------------------------------------------------------------- project update


@contextmanager
def _locked(name: str):
    WORK.mkdir(parents=True, exist_ok=True)
    with open(WORK / f"{name}.lock", "w", encoding="utf-8") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _newest_source_mtime() -> float:
    newest = 0.0
    for part in COLLECTION_PARTS:
        path = REPO / part
        if path.is_file():
            newest = max(newest, path.stat().st_mtime)
        for root, dirs, files in os.walk(path) if path.is_dir() else ():
            dirs[:] = [d for d in dirs if not d.startswith(".") and d != "__pycache__"]
            for name in files:
                newest = max(newest, (Path(root) / name).stat().st_mtime)
    return newest


def ensure_tarball() -> Path:
    """The collection tarball, built again when a file of the collection is newer than it."""
    dist = WORK / "dist"
    with _locked("build"):
        tarballs = sorted(dist.glob("stackops-openstack-*.tar.gz"))
        if tarballs and tarballs[-1].stat().st_mtime >= _newest_source_mtime():
            return tarballs[-1]
        shutil.rmtree(dist, ignore_errors=True)
        subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "build", "--force", "--output-path", str(dist),
                        str(REPO)], check=True, stdout=subprocess.DEVNULL, env=job_environment(os.environ, dist))
        return sorted(dist.glob("stackops-openstack-*.tar.gz"))[-1]


def project_update(tarball: Path, project: Path) -> Path:
    """Install collections/requirements.yml of the project as AWX's project update does; once per tarball."""
    digest = hashlib.sha256(tarball.read_bytes()).hexdigest()[:16]
    target = WORK / "collections" / digest
    with _locked("install"):
        if not (target / "ansible_collections" / "stackops" / "openstack" / "MANIFEST.json").is_file():
            shutil.rmtree(target, ignore_errors=True)
            subprocess.run([str(VENV_BIN / "ansible-galaxy"), "collection", "install", "-r",
                            "collections/requirements.yml", "-p", str(target)],
                           cwd=project, check=True, stdout=subprocess.DEVNULL, env=job_environment(os.environ, target))
    return target


def prepare_job(playbook: str, answers: dict, tarball: Path | None = None) -> tuple[Path, Path, dict]:
    """A private data directory with the project and the extra variables AWX would give the job."""
    generator = _load_generator()
    template_file = REPO / "docs" / "awx" / "job_templates" / f"{playbook}.yml"
    if not template_file.is_file():
        raise SystemExit(f"no job template for {playbook}: {template_file} is missing (tools/awx_job_templates.py)")
    template = yaml.safe_load(template_file.read_text())[0]["awx.awx.job_template"]
    extra_vars = generator.survey_extra_vars(template, answers)

    tarball = tarball or ensure_tarball()
    job_dir = WORK / "jobs" / f"{playbook}-{time.strftime('%H%M%S')}-{uuid.uuid4().hex[:6]}"
    project = job_dir / "project"
    shutil.copytree(REPO / "docs" / "awx" / "project", project)
    (project / "collections" / "requirements.yml").write_text(yaml.safe_dump(project_requirements(tarball)))
    (job_dir / "env").mkdir()
    (job_dir / "env" / "extravars").write_text(json.dumps(extra_vars))
    (job_dir / "answers.json").write_text(json.dumps(extra_vars))
    collections = project_update(tarball, project)
    return job_dir, collections, {"template": template, "extra_vars": extra_vars}


def run_job(job_dir: Path, collections: Path, playbook: str, inventories: list[str], *, job_type: str = "run",
            diff: bool = False, limit: str | None = None) -> dict:
    cmdline = []
    if job_type == "check":
        cmdline.append("--check")
    if diff:
        cmdline.append("--diff")
    command = [str(VENV_BIN / "ansible-runner"), "run", str(job_dir), "-p", f"{playbook}.yml", "--ident", "job", "-j"]
    for inventory in inventories:
        command += ["--inventory", str(Path(inventory).resolve())]
    if limit:
        command += ["--limit", limit]
    if cmdline:
        command.append("--cmdline=" + " ".join(cmdline))  # one argument, though it starts with --
    start = time.monotonic()
    with open(job_dir / "runner.log", "w", encoding="utf-8") as log:
        subprocess.run(command, env=job_environment(os.environ, collections), stdout=log, stderr=subprocess.STDOUT,
                       check=False)
    seconds = time.monotonic() - start
    artifacts = job_dir / "artifacts" / "job"
    events = [json.loads(path.read_text()) for path in sorted((artifacts / "job_events").glob("*.json"))]
    rc_file, status_file, command_file = artifacts / "rc", artifacts / "status", artifacts / "command"
    return {
        "rc": int(rc_file.read_text()) if rc_file.is_file() else -1,
        "status": status_file.read_text().strip() if status_file.is_file() else "unknown",
        # the ansible-playbook command line ansible-runner ran
        "command": json.loads(command_file.read_text())["command"] if command_file.is_file() else [],
        "seconds": round(seconds, 1),
        "events": len(events),
        "stdout": str(artifacts / "stdout"),
        "collection_path": _collection_path(events),
        **summarize(events),
    }


def _collection_path(events: list[dict]) -> str:
    """Where the collection's roles ran from (the project update's install, not the checkout)."""
    for event in events:
        path = (event.get("event_data") or {}).get("task_path") or ""
        if "/ansible_collections/stackops/openstack/" in path:
            return path.split("/ansible_collections/stackops/openstack/", 1)[0]
    return ""


def leak_check(job_dir: Path, stdout: str, secrets_from: list[str], secrets_json: list[str]) -> bool:
    command = [sys.executable, str(REPO / "tools" / "check_secret_leaks.py"), "--label", f"awx job {job_dir.name}",
               "--secrets-from", str(job_dir / "answers.json")]
    for path in secrets_from:
        command += ["--secrets-from", path]
    for path in secrets_json:
        command += ["--secrets-json", path]
    return subprocess.run(command + [stdout], check=False).returncode == 0


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--playbook", required=True, help="a playbook of playbooks/, without .yml")
    parser.add_argument("--inventory", action="append", required=True, help="inventory file or directory (repeatable)")
    parser.add_argument("--answers", default="{}", help="survey answers, a JSON object")
    parser.add_argument("--job-type", choices=["run", "check"], default="run")
    parser.add_argument("--diff", action="store_true", help="diff mode, as the job template's prompt")
    parser.add_argument("--limit")
    parser.add_argument("--expect-rc", type=int, default=0)
    parser.add_argument("--summary", type=Path, help="write the counts as JSON here")
    parser.add_argument("--secrets-from", action="append", default=[], help="more files with secrets to look for")
    parser.add_argument("--secrets-json", action="append", default=[], help="JSON objects whose values are secrets")
    parser.add_argument("--keep", action="store_true", help="keep the job's directory also when it passed")
    args = parser.parse_args(argv)

    job_dir, collections, launch = prepare_job(args.playbook, json.loads(args.answers))
    result = run_job(job_dir, collections, args.playbook, args.inventory, job_type=args.job_type, diff=args.diff,
                     limit=args.limit)
    result.update({"playbook": args.playbook, "job_type": args.job_type, "job_dir": str(job_dir),
                   "extra_vars": sorted(launch["extra_vars"])})
    print(f"=== AWX job {args.playbook} ({args.job_type}) in {job_dir.relative_to(REPO)}")
    print(format_summary(result, result["status"], result["rc"], result["seconds"]))
    has_output = Path(result["stdout"]).is_file()
    clean = has_output and leak_check(job_dir, result["stdout"], args.secrets_from, args.secrets_json)
    result["secrets_shown"] = not clean
    if args.summary:
        args.summary.write_text(json.dumps(result, indent=1))
    ok = result["rc"] == args.expect_rc and clean and result["collection_path"].startswith(str(collections))
    if result["collection_path"] and not result["collection_path"].startswith(str(collections)):
        print(f"ERROR: the roles ran from {result['collection_path']}, not from the project update's {collections}")
    if not ok:
        print(f"ERROR: rc {result['rc']}, expected {args.expect_rc}; the end of the job's output:")
        output = Path(result["stdout"])
        if not output.is_file():  # ansible-runner did not start the job: its own messages
            output = job_dir / "runner.log"
        print("\n".join(output.read_text(errors="replace").splitlines()[-40:]))
        return 1
    if not args.keep:
        shutil.rmtree(job_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
