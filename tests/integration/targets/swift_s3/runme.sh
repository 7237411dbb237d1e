#!/usr/bin/env bash
# swift_s3api role + swift_s3_endpoint_fix against real Keystone and Swift (the lab,
# on loopback): a packstack-style broken catalog, check mode, the repair, a second run,
# then a Swift client and an S3 client (boto3, EC2 credentials) through the catalog.
# The lab is stopped on exit, whatever happens.
set -euo pipefail
repo=${STACKOPS_REPO:-$(cd ../../../.. && pwd)}
lab=(python3 "$repo/tests/lab/openstack_lab.py")
trap '"${lab[@]}" down >/dev/null 2>&1 || true' EXIT
trap 'exit 130' INT TERM
"${lab[@]}" install
"${lab[@]}" down >/dev/null 2>&1 || true
"${lab[@]}" up --services keystone,swift
ansible-playbook -i inventory.yml main.yml "$@"
