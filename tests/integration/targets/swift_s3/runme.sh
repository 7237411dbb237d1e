#!/usr/bin/env bash
# swift_s3api role + swift_s3_endpoint_fix against real Keystone and Swift (the lab,
# on loopback): a packstack-style broken catalog, check mode, the repair, a second run,
# then a Swift client and an S3 client (boto3, EC2 credentials) through the catalog.
# The lab is stopped on exit, whatever happens.
set -euo pipefail
exec ../../with_openstack_lab.sh keystone,swift -- ansible-playbook -i inventory.yml main.yml "$@"
