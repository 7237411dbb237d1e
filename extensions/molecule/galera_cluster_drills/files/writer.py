"""Load and observation during a rolling restart (molecule harness, runs on the controller).

The writer commits one row at a time through whichever node answers, rotating, and
records the id of every row whose COMMIT was acknowledged. The sampler asks every
node for wsrep_cluster_status and Uptime every 0.2 s. Both stop when the stop file
appears; the result is written as JSON. The password comes from WRITER_PASSWORD.
"""

import argparse
import json
import os
import threading
import time

import pymysql


def connect(host, args, database=None):
    return pymysql.connect(host=host, user=args.user, password=os.environ["WRITER_PASSWORD"], database=database,
                           connect_timeout=1, read_timeout=2, write_timeout=2, autocommit=True)


def writer(args, acked, errors):
    turn = 0
    while not os.path.exists(args.stop_file):
        host = args.nodes[turn % len(args.nodes)]
        turn += 1
        try:
            connection = connect(host, args, "rolling")
            with connection.cursor() as cursor:
                cursor.execute("INSERT INTO acked (written_via) VALUES (%s)", (host,))
                acked.append(cursor.lastrowid)
            connection.close()
        except pymysql.err.MySQLError as exc:
            errors.append("%s: %s" % (host, exc.args[0] if exc.args else exc))
        time.sleep(0.02)


def sampler(args, samples):
    while not os.path.exists(args.stop_file):
        round_ = {"t": time.time(), "nodes": {}}
        for host in args.nodes:
            try:
                connection = connect(host, args)
                with connection.cursor() as cursor:
                    cursor.execute("SHOW GLOBAL STATUS WHERE Variable_name IN ('wsrep_cluster_status', 'Uptime')")
                    values = dict(cursor.fetchall())
                connection.close()
                round_["nodes"][host] = {"status": values.get("wsrep_cluster_status"),
                                         "uptime": int(values.get("Uptime", 0))}
            except pymysql.err.MySQLError:
                round_["nodes"][host] = {"status": "down", "uptime": None}
        samples.append(round_)
        time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--nodes", required=True, type=lambda value: value.split(","))
    parser.add_argument("--user", required=True)
    parser.add_argument("--stop-file", required=True)
    parser.add_argument("--result", required=True)
    args = parser.parse_args()
    acked, errors, samples = [], [], []
    threads = [threading.Thread(target=writer, args=(args, acked, errors)),
               threading.Thread(target=sampler, args=(args, samples))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with open(args.result, "w") as handle:
        json.dump({"acked": acked, "errors": errors, "samples": samples,
                   "summary": summarise(args.nodes, samples)}, handle)


def summarise(nodes, samples):
    """Counts the verify step asserts on: restarts seen per node, rounds without Primary."""
    restarts = {}
    for host in nodes:
        uptimes = [r["nodes"][host]["uptime"] for r in samples if r["nodes"][host]["uptime"] is not None]
        restarts[host] = sum(1 for before, after in zip(uptimes, uptimes[1:]) if after < before)
    primary_counts = [sum(1 for node in r["nodes"].values() if node["status"] == "Primary") for r in samples]
    return {
        "rounds": len(samples),
        "restarts": restarts,
        "rounds_without_primary": primary_counts.count(0),
        # a node going down or coming up answers non-Primary for a moment; the others
        # must hold the Primary component meanwhile
        "fewest_primary_nodes": min(primary_counts) if primary_counts else 0,
    }


if __name__ == "__main__":
    main()
