"""kafka-python 3 from PyPI driver for test/peers/python-clients.test.ts.

Usage: kp_peer.py '{"cmd": "...", "bootstrap": "host:port", ...}'  -> prints one JSON object.
Every client starts from the client's default configuration: bootstrap servers, a group id,
and only what the scenario is about (a codec, acks, idempotence). kafka-python 3's producer is
idempotent with acks=all by default; asking for acks 0 or 1 turns idempotence off (it warns).
"""
import time
import uuid

import kafka
from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError
from kafka.structs import OffsetAndMetadata

from peer_common import Clock, Collector, args, done, headers_of, key_of, partition_of, value_of

A = args()
CMD = A["cmd"]
BOOT = A["bootstrap"]
CLIENT = "kafka-python"


def error_of(e):
    return {"code": getattr(e, "errno", -1), "name": type(e).__name__, "str": str(e)[:300]}


def topic_codes(result, key="topics"):
    return {t["name"]: t["error_code"] for t in result[key]}


def version():
    done({"version": kafka.__version__})


def create_topics():
    a = KafkaAdminClient(bootstrap_servers=BOOT)
    clock = Clock()
    res = a.create_topics({t: {"num_partitions": A["partitions"]} for t in A["topics"]}, raise_errors=False)
    ms = clock.ms()
    a.close()
    done({"results": topic_codes(res), "create_ms": ms})


def admin():
    a = KafkaAdminClient(bootstrap_servers=BOOT)
    topics, parts = A["topics"], A["partitions"]
    out = {}
    clock = Clock()
    out["create"] = topic_codes(a.create_topics({t: {"num_partitions": parts} for t in topics}, raise_errors=False))
    out["create_ms"] = clock.ms()
    clock = Clock()
    out["create_again"] = topic_codes(
        a.create_topics({topics[0]: {"num_partitions": parts}}, raise_errors=False))[topics[0]]
    out["create_again_ms"] = clock.ms()
    described = {}
    for t in a.describe_topics(topics):
        if t["error_code"]:
            described[t["name"]] = {"error": t["error_code"]}
        else:
            ps = sorted(t["partitions"], key=lambda p: p["partition_index"])
            described[t["name"]] = {"partitions": len(ps), "leaders": [p["leader_id"] for p in ps]}
    out["describe"] = described
    clock = Clock()
    out["delete"] = topic_codes(a.delete_topics([topics[0]], raise_errors=False))[topics[0]]
    out["delete_ms"] = clock.ms()
    deadline = time.time() + 30
    gone = False
    while time.time() < deadline:
        if topics[0] not in a.list_topics():
            gone = True
            break
        time.sleep(0.1)
    out["gone"] = gone
    listed = a.list_topics()
    out["others_listed"] = all(t in listed for t in topics[1:])
    out["delete_missing"] = topic_codes(a.delete_topics([topics[0]], raise_errors=False))[topics[0]]
    a.close()
    done(out)


def produce_one(V):
    """Produces records [start, start+count) of the data set with one variant's settings."""
    extra = {}
    if V.get("codec") not in (None, "none"):
        extra["compression_type"] = V["codec"]
    if V.get("acks") is not None:
        extra["acks"] = {"all": "all", 0: 0, 1: 1}[V["acks"]]
    if V.get("idempotence"):
        extra["enable_idempotence"] = True
    p = KafkaProducer(bootstrap_servers=BOOT, **extra)
    start, count, parts = V.get("start", 0), V["count"], V["partitions"]
    ts_base = V.get("timestamp_base")
    clock = Clock()
    futures = []
    for i in range(start, start + count):
        futures.append(p.send(V["topic"], key=key_of(i), value=value_of(i), partition=partition_of(i, parts),
                              headers=headers_of(i, CLIENT),
                              timestamp_ms=(ts_base + i) if ts_base is not None else None))
    p.flush(timeout=V.get("timeout_s", 120))
    acked, errors = 0, []
    for f in futures:
        try:
            f.get(timeout=0)
            acked += 1
        except Exception as e:  # noqa: BLE001 - every failure is reported
            if len(errors) < 10:
                errors.append(error_of(e))
    ms = clock.ms()
    idempotent = p.config["enable_idempotence"]
    p.close()
    return {"acked": acked, "errors": errors, "ms": ms, "idempotent": idempotent}


def produce():
    """Each variant in turn (a new producer each), in one process."""
    done({"results": {v["name"]: produce_one(v) for v in A["variants"]}})


def consume_group():
    expected = A["expected"]
    c = KafkaConsumer(*expected, bootstrap_servers=BOOT, group_id=A["group"], auto_offset_reset="earliest")
    col = Collector(CLIENT)
    clock = Clock()
    deadline = time.time() + A.get("timeout_s", 120)
    while time.time() < deadline and any(col.total(t) < n for t, n in expected.items()):
        for tp, msgs in c.poll(timeout_ms=500).items():
            if msgs and "first_record" not in clock.marks:
                clock.mark("first_record")
            for m in msgs:
                col.add(tp.topic, tp.partition, m.offset, m.key, m.value, m.headers)
    ms = clock.ms()
    c.close()
    done({"topics": col.summary(), "header_errors": col.header_errors, "errors": [], "ms": ms,
          "first_record_ms": clock.marks.get("first_record")})


def commit_sync(c, offsets):
    """Commits and waits for the answer, at most 10 s (a bound of the call, not a client config)."""
    try:
        c.commit(offsets, timeout_ms=10000)
        return []
    except KafkaError as e:
        return [{"partition": -1, **error_of(e)}]


def commit_resume():
    topic, total, first = A["topic"], A["total"], A["first"]

    def consumer():
        return KafkaConsumer(topic, bootstrap_servers=BOOT, group_id=A["group"], auto_offset_reset="earliest",
                             enable_auto_commit=False)

    out = {}
    clock = Clock()
    deadline = time.time() + A.get("timeout_s", 90)
    c = consumer()
    col = Collector(CLIENT)
    nxt = {}
    while col.total() < first and time.time() < deadline:
        for tp, msgs in c.poll(timeout_ms=500).items():
            for m in msgs:
                if col.total() >= first:
                    break
                col.add(tp.topic, tp.partition, m.offset, m.key, m.value, m.headers)
                nxt[tp.partition] = m.offset + 1
    out["commit_errors"] = commit_sync(c, {TopicPartition(topic, p): OffsetAndMetadata(o, "", -1)
                                           for p, o in nxt.items()})
    c.close()
    out["first"] = {"topics": col.summary(), "committed": {str(p): o for p, o in nxt.items()}}
    c = consumer()
    col = Collector(CLIENT)
    while col.total() < total - first and time.time() < deadline:
        for tp, msgs in c.poll(timeout_ms=500).items():
            for m in msgs:
                col.add(tp.topic, tp.partition, m.offset, m.key, m.value, m.headers)
    out["second"] = {"topics": col.summary(), "header_errors": col.header_errors}
    out["second_commit_errors"] = commit_sync(c, None) if col.total() else []
    c.close()
    out["ms"] = clock.ms()
    done(out)


def groups():
    topic, group, expected = A["topic"], A["group"], A["expected"]
    c = KafkaConsumer(topic, bootstrap_servers=BOOT, group_id=group, auto_offset_reset="earliest",
                      enable_auto_commit=False)
    n = 0
    deadline = time.time() + A.get("timeout_s", 90)
    while n < expected and time.time() < deadline:
        n += sum(len(msgs) for msgs in c.poll(timeout_ms=500).values())
    out = {"consumed": n, "commit_errors": commit_sync(c, None)}
    a = KafkaAdminClient(bootstrap_servers=BOOT)
    listed = None
    while time.time() < deadline:
        listed = next((g for g in a.list_groups() if g["group_id"] == group), None)
        if listed is not None:
            break
        time.sleep(0.1)
    out["listed"] = None if listed is None else {"state": (listed.get("group_state") or "").lower(),
                                                 "simple": listed.get("protocol_type") != "consumer"}
    d = a.describe_groups([group])[group]
    assigned = []
    for m in d["members"]:
        for t in (m.get("member_assignment") or {}).get("assigned_partitions", []) or []:
            if t[0] == topic if isinstance(t, (list, tuple)) else t.get("topic") == topic:
                assigned.extend(t[1] if isinstance(t, (list, tuple)) else t.get("partitions"))
    out["described"] = {"state": d["group_state"].lower(), "protocol_type": d["protocol_type"],
                        "members": len(d["members"]), "assigned": sorted(assigned)}
    offs = a.list_group_offsets(group)[group]
    out["offsets"] = {str(tp.partition): o.offset for tp, o in offs.items() if tp.topic == topic}
    a.close()
    c.close()
    done(out)


def offsets_for_times():
    c = KafkaConsumer(bootstrap_servers=BOOT, group_id="peers-" + uuid.uuid4().hex)
    topic, parts = A["topic"], A["partitions"]
    out = {}
    for ts in A["timestamps"]:
        res = c.offsets_for_times({TopicPartition(topic, p): ts for p in range(parts)})
        out[str(ts)] = {str(tp.partition): (o.offset if o is not None else -1) for tp, o in res.items()}
    c.close()
    done({"offsets": out})


{"version": version, "create_topics": create_topics, "admin": admin, "produce": produce,
 "consume_group": consume_group, "commit_resume": commit_resume, "groups": groups,
 "offsets_for_times": offsets_for_times}[CMD]()
