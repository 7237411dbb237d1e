"""Seed and count Ceilometer samples in MongoDB, as ceilometer's MongoDB driver stores them.

    MONGODB_URI=... samples.py seed --old N --new M     old: 10 days old, new: 1 hour old
    MONGODB_URI=... samples.py count --older-than SECONDS

The URI (with its password) comes from the environment, never the command line. Run with
the lab's servers venv (pymongo). Documents follow ceilometer/storage/impl_mongodb.py:
record_metering_data() inserts the sample dict (meter_message_from_counter) plus
recorded_at into ``meter`` and upserts the resource into ``resource``; ``timestamp`` is a
BSON date (UTC). No TTL index: the module's purge is what removes old samples here.
Prints one JSON object.
"""

import argparse
import datetime
import json
import os
import sys
import uuid

import pymongo

RESOURCES = 10


def database():
    client = pymongo.MongoClient(os.environ["MONGODB_URI"], serverSelectionTimeoutMS=10000)
    return client.get_default_database()


def sample(index, when, recorded_at):
    resource = "instance-%04d" % (index % RESOURCES)
    return {
        "source": "openstack", "counter_name": "cpu_util", "counter_type": "gauge", "counter_unit": "%",
        "counter_volume": float(index % 100), "user_id": "u-%d" % (index % 3), "project_id": "p-%d" % (index % 2),
        "resource_id": resource, "timestamp": when, "recorded_at": recorded_at,
        "resource_metadata": {"flavor": {"name": "m1.small"}, "host": "compute1", "display_name": resource},
        "message_id": str(uuid.uuid4()), "message_signature": uuid.uuid4().hex * 2,
    }


def seed(db, old, new):
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
    db.meter.drop()
    db.resource.drop()
    docs = [sample(i, now - datetime.timedelta(days=10, seconds=i), now - datetime.timedelta(days=10))
            for i in range(old)]
    docs += [sample(old + i, now - datetime.timedelta(hours=1, seconds=i), now) for i in range(new)]
    db.meter.insert_many(docs)
    for index in range(RESOURCES):
        db.resource.update_one({"_id": "instance-%04d" % index},
                               {"$set": {"project_id": "p-0", "user_id": "u-0", "source": "openstack"}},
                               upsert=True)
    # the indexes ceilometer's driver creates (no meter_ttl: the TTL was never synced to the index)
    db.meter.create_index([("resource_id", 1), ("user_id", 1), ("counter_name", 1), ("timestamp", 1),
                           ("source", 1)], name="meter_idx")
    db.meter.create_index([("timestamp", -1)], name="timestamp_idx")


def count(db, older_than):
    cutoff = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(seconds=older_than)
    return {"meter": db.meter.count_documents({}), "older": db.meter.count_documents({"timestamp": {"$lt": cutoff}}),
            "resource": db.resource.count_documents({})}


def main():
    parser = argparse.ArgumentParser()
    sub = parser.add_subparsers(dest="command", required=True)
    seeding = sub.add_parser("seed")
    seeding.add_argument("--old", type=int, required=True)
    seeding.add_argument("--new", type=int, required=True)
    counting = sub.add_parser("count")
    counting.add_argument("--older-than", type=int, required=True)
    args = parser.parse_args()
    db = database()
    if args.command == "seed":
        seed(db, args.old, args.new)
        print(json.dumps(count(db, 7 * 86400)))
    else:
        print(json.dumps(count(db, args.older_than)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
