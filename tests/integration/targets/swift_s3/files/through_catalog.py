"""Reach Swift the way a user does: find it in the Keystone catalog, then use it.

Run with the lab's Python (openstacksdk, boto3). Prints one JSON object: whether a Swift
client (object-store endpoint) and an S3 client with EC2 credentials (s3 endpoint) could
create and list a container/bucket, and the error when not. Never prints a secret.
"""

import json
import sys
import uuid

import boto3
import botocore.config
import openstack


def swift_check(conn, name):
    conn.object_store.create_container(name=name)
    conn.object_store.upload_object(container=name, name="probe.txt", data=b"stackops")
    listed = [o.name for o in conn.object_store.objects(name)]
    return {"ok": listed == ["probe.txt"], "objects": listed}


def s3_check(conn, name):
    endpoint = conn.endpoint_for("s3", interface="public")
    if not endpoint:
        return {"ok": False, "error": "the catalog has no public s3 endpoint"}
    credential = conn.identity.create_credential(
        type="ec2", user_id=conn.current_user_id, project_id=conn.current_project_id,
        blob=json.dumps({"access": uuid.uuid4().hex, "secret": uuid.uuid4().hex}))
    blob = json.loads(credential.blob)
    try:
        s3 = boto3.client("s3", endpoint_url=endpoint, aws_access_key_id=blob["access"],
                          aws_secret_access_key=blob["secret"], region_name="us-east-1",
                          config=botocore.config.Config(connect_timeout=5, read_timeout=10,
                                                        retries={"max_attempts": 1}))
        s3.create_bucket(Bucket=name)
        buckets = [b["Name"] for b in s3.list_buckets()["Buckets"]]
        return {"ok": name in buckets, "endpoint": endpoint, "buckets": buckets}
    finally:
        conn.identity.delete_credential(credential)


def main():
    conn = openstack.connect(cloud="lab")
    name = "probe-" + uuid.uuid4().hex[:8]
    result = {}
    for check, function in (("swift", swift_check), ("s3", s3_check)):
        try:
            result[check] = function(conn, name + "-" + check)
        except Exception as exc:  # the failure is the answer: report it, do not crash
            result[check] = {"ok": False, "error": "%s: %s" % (type(exc).__name__, str(exc)[:300])}
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()
