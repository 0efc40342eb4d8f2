"""confluent-kafka from PyPI (the wheel's bundled librdkafka) driver for test/peers/python-clients.test.ts.

Usage: ck_peer.py '{"cmd": "...", "bootstrap": "host:port", ...}'  -> prints one JSON object.
Every client starts from the client's default configuration: bootstrap servers, a group id,
and only what the scenario is about (a codec, acks, idempotence, a fetch size, a group protocol).
"""
import os
import time
import uuid

import confluent_kafka
from confluent_kafka import (Consumer, ConsumerGroupTopicPartitions, KafkaError, KafkaException, Producer,
                             TopicCollection, TopicPartition)
from confluent_kafka.admin import AdminClient, NewTopic

from peer_common import Clock, Collector, FetchCheck, args, done, fetch_value, headers_of, key_of, log, partition_of, \
    value_of

A = args()
CMD = A["cmd"]
BOOT = A["bootstrap"]
CLIENT = "confluent-kafka"


def conf(**extra):
    c = {"bootstrap.servers": BOOT}
    if os.environ.get("PEERS_RDKAFKA_DEBUG"):  # for investigating by hand, e.g. PEERS_RDKAFKA_DEBUG=cgrp,fetch
        c["debug"] = os.environ["PEERS_RDKAFKA_DEBUG"]
    c.update(extra)
    return c


def kafka_error(e):
    err = e.args[0] if isinstance(e, KafkaException) and e.args else e
    if isinstance(err, KafkaError):
        return {"code": err.code(), "name": err.name()}
    return {"code": -1, "name": type(e).__name__, "str": str(e)}


def futures_result(fs):
    out = {}
    for k, f in fs.items():
        try:
            f.result()
            out[str(k)] = 0
        except KafkaException as e:
            out[str(k)] = kafka_error(e)["code"]
    return out


def version():
    done({"version": confluent_kafka.__version__, "librdkafka": confluent_kafka.libversion()[0]})


def create_topics():
    """One CreateTopics request for every topic given, timed."""
    a = AdminClient(conf())
    clock = Clock()
    res = futures_result(a.create_topics([NewTopic(t, num_partitions=A["partitions"]) for t in A["topics"]]))
    done({"results": res, "create_ms": clock.ms()})


def admin():
    """Create two topics (one request), create one again, describe, delete one, delete it again."""
    a = AdminClient(conf())
    topics, parts = A["topics"], A["partitions"]
    out = {}
    clock = Clock()
    out["create"] = futures_result(a.create_topics([NewTopic(t, num_partitions=parts) for t in topics]))
    out["create_ms"] = clock.ms()
    clock = Clock()
    out["create_again"] = futures_result(a.create_topics([NewTopic(topics[0], num_partitions=parts)]))[topics[0]]
    out["create_again_ms"] = clock.ms()
    described = {}
    for name, f in a.describe_topics(TopicCollection(topics)).items():
        try:
            d = f.result()
            described[name] = {"partitions": len(d.partitions),
                               "leaders": [p.leader.id if p.leader is not None else -1 for p in d.partitions]}
        except KafkaException as e:
            described[name] = {"error": kafka_error(e)["code"]}
    out["describe"] = described
    clock = Clock()
    out["delete"] = futures_result(a.delete_topics([topics[0]]))[topics[0]]
    out["delete_ms"] = clock.ms()
    deadline = time.time() + 30
    gone = False
    while time.time() < deadline:
        if topics[0] not in a.list_topics(timeout=10).topics:
            gone = True
            break
        time.sleep(0.1)
    out["gone"] = gone
    out["others_listed"] = all(t in a.list_topics(timeout=10).topics for t in topics[1:])
    out["delete_missing"] = futures_result(a.delete_topics([topics[0]]))[topics[0]]
    done(out)


def produce_one(V):
    """Produces records [start, start+count) of the data set with one variant's settings."""
    extra = {}
    if V.get("codec") is not None:
        extra["compression.type"] = V["codec"]
    if V.get("acks") is not None:
        extra["acks"] = str(V["acks"])
    if V.get("idempotence"):
        extra["enable.idempotence"] = True
    p = Producer(conf(**extra))
    start, count, parts = V.get("start", 0), V["count"], V["partitions"]
    ts_base = V.get("timestamp_base")
    errors, acked = [], [0]

    def cb(err, msg):
        if err is not None:
            if len(errors) < 10:
                errors.append({"name": err.name(), "code": err.code(), "str": err.str()})
        else:
            acked[0] += 1

    clock = Clock()
    for i in range(start, start + count):
        kw = {"key": key_of(i), "value": value_of(i), "partition": partition_of(i, parts),
              "headers": headers_of(i, CLIENT), "on_delivery": cb}
        if ts_base is not None:
            kw["timestamp"] = ts_base + i
        while True:
            try:
                p.produce(V["topic"], **kw)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    unflushed = p.flush(V.get("timeout_s", 120))
    return {"acked": acked[0], "errors": errors, "unflushed": unflushed, "ms": clock.ms()}


def produce():
    """Each variant in turn (a new producer each), in one process."""
    done({"results": {v["name"]: produce_one(v) for v in A["variants"]}})


def consume_group():
    """Subscribes to every topic in a new group and reads until each has its expected count."""
    c = Consumer(conf(**{"group.id": A["group"], "auto.offset.reset": "earliest"}))
    expected = A["expected"]
    c.subscribe(list(expected))
    col = Collector(CLIENT)
    errors = []
    clock = Clock()
    deadline = time.time() + A.get("timeout_s", 120)
    while time.time() < deadline and any(col.total(t) < n for t, n in expected.items()):
        for m in c.consume(num_messages=10000, timeout=0.5):
            if m.error() is not None:
                if len(errors) < 10:
                    errors.append(kafka_error(m.error()))
                continue
            if "first_record" not in clock.marks:
                clock.mark("first_record")
            col.add(m.topic(), m.partition(), m.offset(), m.key(), m.value(), m.headers())
    ms = clock.ms()
    c.close()
    done({"topics": col.summary(), "header_errors": col.header_errors, "errors": errors, "ms": ms,
          "first_record_ms": clock.marks.get("first_record")})


def commit_sync(c, offsets):
    """Commits offsets synchronously; returns the errors (request or per partition)."""
    try:
        res = c.commit(offsets=offsets, asynchronous=False) or []
        return [{"partition": tp.partition, **kafka_error(tp.error)} for tp in res if tp.error is not None]
    except KafkaException as e:
        return [{"partition": -1, **kafka_error(e)}]


def commit_resume():
    """Consumer 1 reads `first` records, commits exactly what it processed, closes; consumer 2
    (same group) resumes from the committed offsets and reads to the end."""
    topic, parts, total, first = A["topic"], A["partitions"], A["total"], A["first"]
    cfg = conf(**{"group.id": A["group"], "auto.offset.reset": "earliest", "enable.auto.commit": False})
    out = {}
    clock = Clock()
    c = Consumer(cfg)
    c.subscribe([topic])
    col = Collector(CLIENT)
    nxt = {}
    deadline = time.time() + A.get("timeout_s", 90)
    while col.total() < first and time.time() < deadline:
        for m in c.consume(num_messages=1000, timeout=0.5):
            if m.error() is not None or col.total() >= first:
                continue
            col.add(m.topic(), m.partition(), m.offset(), m.key(), m.value(), m.headers())
            nxt[m.partition()] = m.offset() + 1
    out["commit_errors"] = commit_sync(c, [TopicPartition(topic, p, o) for p, o in nxt.items()])
    c.close()
    out["first"] = {"topics": col.summary(), "committed": {str(p): o for p, o in nxt.items()}}
    c = Consumer(cfg)
    c.subscribe([topic])
    col = Collector(CLIENT)
    while col.total() < total - first and time.time() < deadline:
        for m in c.consume(num_messages=1000, timeout=0.5):
            if m.error() is None:
                col.add(m.topic(), m.partition(), m.offset(), m.key(), m.value(), m.headers())
    out["second"] = {"topics": col.summary(), "header_errors": col.header_errors}
    out["second_commit_errors"] = commit_sync_current(c) if col.total() else []
    c.close()
    out["ms"] = clock.ms()
    done(out)


def commit_sync_current(c):
    try:
        res = c.commit(asynchronous=False) or []
        return [{"partition": tp.partition, **kafka_error(tp.error)} for tp in res if tp.error is not None]
    except KafkaException as e:
        return [{"partition": -1, **kafka_error(e)}]



def groups():
    """A member reads a topic and commits; while it is in the group, list, describe and fetch offsets."""
    topic, group, expected = A["topic"], A["group"], A["expected"]
    c = Consumer(conf(**{"group.id": group, "auto.offset.reset": "earliest", "enable.auto.commit": False}))
    c.subscribe([topic])
    n = 0
    deadline = time.time() + A.get("timeout_s", 90)
    while n < expected and time.time() < deadline:
        n += sum(1 for m in c.consume(num_messages=10000, timeout=0.5) if m.error() is None)
    out = {"consumed": n, "commit_errors": commit_sync_current(c)}
    a = AdminClient(conf())
    listed = None
    while time.time() < deadline:
        res = a.list_consumer_groups().result()
        listed = next((g for g in res.valid if g.group_id == group), None)
        if listed is not None:
            break
        time.sleep(0.1)
    out["listed"] = None if listed is None else {"state": listed.state.name.lower(),
                                                 "simple": listed.is_simple_consumer_group}
    d = a.describe_consumer_groups([group])[group].result()
    out["described"] = {
        "state": d.state.name.lower(),
        "protocol_type": "consumer",
        "members": len(d.members),
        "assigned": sorted(tp.partition for m in d.members for tp in m.assignment.topic_partitions
                           if tp.topic == topic),
    }
    offs = a.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result()
    out["offsets"] = {str(tp.partition): tp.offset for tp in offs.topic_partitions if tp.topic == topic}
    c.close()
    done(out)


def offsets_for_times():
    c = Consumer(conf(**{"group.id": "peers-" + uuid.uuid4().hex}))
    topic, parts = A["topic"], A["partitions"]
    out = {}
    for ts in A["timestamps"]:
        res = c.offsets_for_times([TopicPartition(topic, p, ts) for p in range(parts)])
        out[str(ts)] = {str(tp.partition): tp.offset for tp in res}
    c.close()
    done({"offsets": out})


def kip848():
    """Two KIP-848 members (group.protocol=consumer) share a topic: each must get part of it;
    then every record is read once, each batch committed; finally the group's committed offsets."""
    topic, parts, count, group = A["topic"], A["partitions"], A["count"], A["group"]
    cfg = conf(**{"group.id": group, "group.protocol": "consumer", "auto.offset.reset": "earliest",
                  "enable.auto.commit": False})
    members = [Consumer(cfg), Consumer(cfg)]
    for m in members:
        m.subscribe([topic])
    clock = Clock()
    deadline = time.time() + A.get("timeout_s", 120)
    errors = []

    def assignments():
        return [sorted(tp.partition for tp in m.assignment()) for m in members]

    def poll_all(handle):
        """One consume() per member; `handle` gets each member's batch of records."""
        for idx, m in enumerate(members):
            batch = []
            for msg in m.consume(num_messages=1000, timeout=0.1):
                if msg.error() is not None:
                    if len(errors) < 10:
                        errors.append(kafka_error(msg.error()))
                    continue
                batch.append(msg)
            if batch:
                handle(idx, m, batch)

    def unexpected(idx, m, batch):
        errors.append({"name": "records before producing", "partitions": sorted({x.partition() for x in batch})})

    while time.time() < deadline:
        got = assignments()
        if all(got) and sorted(got[0] + got[1]) == list(range(parts)):
            break
        poll_all(unexpected)
    out = {"assignments": assignments(), "assigned_ms": clock.ms()}
    log("assigned", out)
    p = Producer(conf())
    for i in range(count):
        p.produce(topic, key=key_of(i), value=value_of(i), partition=partition_of(i, parts))
        p.poll(0)
    out["unflushed"] = p.flush(30)
    log("produced", count)
    seen = {}
    by_member = [set(), set()]
    dup = [0]
    commit_errors = []

    def handle(idx, m, batch):
        nxt = {}
        for msg in batch:
            i = int(msg.key()[4:])
            if i in seen:
                dup[0] += 1
            seen[i] = idx
            by_member[idx].add(msg.partition())
            nxt[msg.partition()] = msg.offset() + 1
        # A synchronous commit of each batch before the next poll, as a careful application does.
        err = commit_sync(m, [TopicPartition(topic, part, off) for part, off in sorted(nxt.items())])
        if err and len(commit_errors) < 20:
            commit_errors.extend({"member": idx, **e} for e in err)
            log("commit failed", err)

    while len(seen) < count and time.time() < deadline:
        poll_all(handle)
    log("consumed", len(seen), "commit errors", commit_errors[:3])
    out.update({"unique": len(seen), "duplicates": dup[0], "read_partitions": [sorted(s) for s in by_member],
                "commit_errors": commit_errors, "errors": errors, "ms": clock.ms()})
    a = AdminClient(conf())
    try:
        offs = a.list_consumer_group_offsets([ConsumerGroupTopicPartitions(group)])[group].result()
        out["committed"] = {str(tp.partition): tp.offset for tp in offs.topic_partitions if tp.topic == topic}
    except KafkaException as e:
        out["committed"] = kafka_error(e)
    log("committed offsets", out["committed"])
    for m in members:
        m.close()
    done(out)


def fetch_produce():
    """Produces the fetch-size scenario's records: `count` 100-byte values over the partitions."""
    p = Producer(conf())
    parts = A["partitions"]
    clock = Clock()
    for i in range(A["count"]):
        while True:
            try:
                p.produce(A["topic"], value=fetch_value(i), partition=i % parts)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    done({"unflushed": p.flush(120), "ms": clock.ms()})


def fetch_consume():
    """Reads every partition from the beginning at the given max.partition.fetch.bytes, timed."""
    topic, parts, count = A["topic"], A["partitions"], A["count"]
    extra = {"group.id": "peers-" + uuid.uuid4().hex, "enable.auto.commit": False}
    if A.get("max_partition_fetch_bytes") is not None:
        extra["max.partition.fetch.bytes"] = A["max_partition_fetch_bytes"]
    c = Consumer(conf(**extra))
    check = FetchCheck(count, parts)
    clock = Clock()
    c.assign([TopicPartition(topic, p, -2) for p in range(parts)])  # -2: OFFSET_BEGINNING
    deadline = time.time() + A.get("timeout_s", 240)
    while check.n < count and time.time() < deadline:
        for m in c.consume(num_messages=10000, timeout=0.5):
            if m.error() is None:
                if check.n == 0:
                    clock.mark("first_record")
                check.add(m.partition(), m.offset(), m.value())
    ms = clock.ms()
    c.close()
    first = clock.marks.get("first_record", ms)
    done({**check.result(), "ms": ms, "first_record_ms": first,
          "records_per_s": round(check.n / max(0.001, (ms - first) / 1000))})


{"version": version, "create_topics": create_topics, "admin": admin, "produce": produce,
 "consume_group": consume_group, "commit_resume": commit_resume, "groups": groups,
 "offsets_for_times": offsets_for_times, "kip848": kip848, "fetch_produce": fetch_produce,
 "fetch_consume": fetch_consume}[CMD]()
