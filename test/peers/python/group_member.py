"""One consumer-group member for test/peers/groups-cluster.test.ts, with confluent-kafka
(librdkafka) or kafka-python, whichever python runs it (Debian's or the PyPI venv's).

Usage: group_member.py '{"lib": "confluent-kafka"|"kafka-python", "bootstrap": "h:p,...", "topic": T,
                         "group": G, "protocol": "classic"|"consumer", "expect": N, "timeout_s": S}'
Joins group G (group.protocol as given; the client's defaults otherwise, but auto.offset.reset
earliest, so a group without commits reads from the start, and no auto-commit, so the commits are
the ones below), reads until it has N records, commits synchronously the offset after the last
record it read of each partition, closes (leaving the group) and prints one JSON object:
{"lib", "version", "count", "partitions": {p: {"first", "last", "count"}}, "committed": {p: offset},
 "commit_errors": [...], "errors": [...], "ms"}.
"""
import json
import sys
import time

A = json.loads(sys.argv[1])
LIB = A["lib"]


def done(out):
    print(json.dumps(out), flush=True)
    sys.exit(0)


def track(parts, partition, offset):
    p = parts.setdefault(str(partition), {"first": offset, "last": offset, "count": 0})
    p["first"] = min(p["first"], offset)
    p["last"] = max(p["last"], offset)
    p["count"] += 1


def run_confluent_kafka():
    import confluent_kafka
    from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition

    def err(e):
        e = e.args[0] if isinstance(e, KafkaException) and e.args else e
        return {"code": e.code(), "name": e.name()} if isinstance(e, KafkaError) else {"code": -1, "name": str(e)}

    conf = {"bootstrap.servers": A["bootstrap"], "group.id": A["group"], "auto.offset.reset": "earliest",
            "enable.auto.commit": False}
    if A["protocol"] == "consumer":
        conf["group.protocol"] = "consumer"
    c = Consumer(conf)
    c.subscribe([A["topic"]])
    parts, nxt, errors = {}, {}, []
    count = 0
    start = time.time()
    deadline = start + A.get("timeout_s", 120)
    while count < A["expect"] and time.time() < deadline:
        for m in c.consume(num_messages=1000, timeout=0.5):
            if m.error() is not None:
                if len(errors) < 10:
                    errors.append(err(m.error()))
                continue
            count += 1
            track(parts, m.partition(), m.offset())
            nxt[m.partition()] = m.offset() + 1
    commit_errors = []
    if nxt:
        try:
            res = c.commit(offsets=[TopicPartition(A["topic"], p, o) for p, o in sorted(nxt.items())],
                           asynchronous=False) or []
            commit_errors = [{"partition": tp.partition, **err(tp.error)} for tp in res if tp.error is not None]
        except KafkaException as e:
            commit_errors = [{"partition": -1, **err(e)}]
    c.close()
    version = getattr(confluent_kafka, "__version__", None) or confluent_kafka.version()[0]
    return {"version": "%s (librdkafka %s)" % (version, confluent_kafka.libversion()[0]),
            "count": count, "partitions": parts, "committed": {str(p): o for p, o in nxt.items()},
            "commit_errors": commit_errors, "errors": errors, "ms": int((time.time() - start) * 1000)}


def run_kafka_python():
    import logging

    import kafka
    from kafka import KafkaConsumer, OffsetAndMetadata, TopicPartition

    # Its group and fetch decisions on stderr, which the test shows when a check fails.
    logging.basicConfig(level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s")

    if A["protocol"] != "classic":
        raise SystemExit("kafka-python has no consumer group protocol (KIP-848)")
    c = KafkaConsumer(A["topic"], bootstrap_servers=A["bootstrap"], group_id=A["group"],
                      auto_offset_reset="earliest", enable_auto_commit=False)
    parts, nxt = {}, {}
    count = 0
    start = time.time()
    deadline = start + A.get("timeout_s", 120)
    while count < A["expect"] and time.time() < deadline:
        for tp, msgs in c.poll(timeout_ms=500).items():
            for m in msgs:
                count += 1
                track(parts, tp.partition, m.offset)
                nxt[tp.partition] = m.offset + 1
    commit_errors = []
    if nxt:
        try:
            # kafka-python 2.x takes OffsetAndMetadata(offset, metadata), 3.x adds the leader epoch.
            fields = len(OffsetAndMetadata._fields)
            c.commit({TopicPartition(A["topic"], p): OffsetAndMetadata(o, "", -1) if fields == 3
                      else OffsetAndMetadata(o, "") for p, o in nxt.items()})
        except Exception as e:  # noqa: BLE001 - reported to the test
            commit_errors = [{"partition": -1, "code": -1, "name": "%s: %s" % (type(e).__name__, e)}]
    c.close()
    return {"version": kafka.__version__, "count": count, "partitions": parts,
            "committed": {str(p): o for p, o in nxt.items()}, "commit_errors": commit_errors, "errors": [],
            "ms": int((time.time() - start) * 1000)}


out = run_confluent_kafka() if LIB == "confluent-kafka" else run_kafka_python()
done({"lib": LIB, **out})
