"""kafka-python client driver for the integration tests.

Usage: kp.py '{"cmd": "...", "bootstrap": "host:port", ...}'  -> prints one JSON object.
"""
import time

from kafka import KafkaAdminClient, KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import NewTopic
from kafka.errors import KafkaError

from common import PartitionCollector, args, done, key_of, partition_of, value_of

A = args()
CMD = A["cmd"]
BOOT = A["bootstrap"]
COMMON = {"bootstrap_servers": BOOT, "request_timeout_ms": 30000}


def err_name(e):
    return type(e).__name__


def metadata():
    c = KafkaConsumer(**COMMON)
    topics = {}
    names = c.topics()
    cluster = c._client.cluster
    for name in names:
        parts = {}
        for p in sorted(c.partitions_for_topic(name) or []):
            parts[str(p)] = {"leader": cluster.leader_for_partition(TopicPartition(name, p))}
        topics[name] = {"partitions": parts}
    brokers = [{"id": b.nodeId, "host": b.host, "port": b.port} for b in cluster.brokers()]
    c.close()
    done({"brokers": brokers, "topics": topics})


def admin_call(fn):
    a = KafkaAdminClient(**COMMON)
    try:
        resp = fn(a)
        out = {}
        for item in getattr(resp, "topic_errors", []) or getattr(resp, "topic_error_codes", []):
            out[item[0]] = {"code": item[1]}
        done({"results": out})
    except KafkaError as e:
        done({"error": err_name(e), "str": str(e)})
    finally:
        a.close()


def create_topics():
    admin_call(lambda a: a.create_topics(
        [NewTopic(t, A.get("partitions", 1), 1) for t in A["topics"]], timeout_ms=15000))


def delete_topics():
    admin_call(lambda a: a.delete_topics(A["topics"], timeout_ms=15000))


def produce():
    codec = A.get("codec", "none")
    p = KafkaProducer(compression_type=None if codec == "none" else codec, acks=A.get("acks", "all"),
                      linger_ms=5, batch_size=64 * 1024, **COMMON)
    start, count, parts = A.get("start", 0), A["count"], A.get("partitions", 8)
    ts_base = A.get("timestamp_base")
    futures = []
    for i in range(start, start + count):
        futures.append(p.send(A["topic"], key=key_of(i), value=value_of(i), partition=partition_of(i, parts),
                              timestamp_ms=(ts_base + i) if ts_base is not None else None))
    p.flush(timeout=A.get("timeout_s", 60))
    acked, errors = 0, []
    for f in futures:
        try:
            f.get(timeout=0)
            acked += 1
        except Exception as e:  # noqa: BLE001
            if len(errors) < 10:
                errors.append({"name": err_name(e), "str": str(e)})
    p.close()
    done({"acked": acked, "errors": errors})


def consume():
    c = KafkaConsumer(enable_auto_commit=False, auto_offset_reset="earliest",
                      max_partition_fetch_bytes=4 * 1024 * 1024, **COMMON)
    topic, parts = A["topic"], A.get("partitions", 8)
    tps = [TopicPartition(topic, p) for p in range(parts)]
    c.assign(tps)
    c.seek_to_beginning(*tps)
    ends = c.end_offsets(tps)
    col = PartitionCollector()
    deadline = time.time() + A.get("timeout_s", 60)
    expected = A.get("expected")
    idle_after_done = 0
    while time.time() < deadline:
        batch = c.poll(timeout_ms=500, max_records=10000)
        for tp, msgs in batch.items():
            for m in msgs:
                col.add(tp.partition, m.offset, m.key, m.value)
        reached = all(c.position(tp) >= ends[tp] for tp in tps)
        if reached and (expected is None or col.total() >= expected):
            if not batch:
                idle_after_done += 1
            if idle_after_done >= 1:
                break
    c.close()
    done({"partitions": col.summary(), "total": col.total(),
          "end_offsets": {str(tp.partition): o for tp, o in ends.items()}})


def offsets_for_times():
    c = KafkaConsumer(**COMMON)
    topic, parts = A["topic"], A.get("partitions", 8)
    out = {}
    for ts in A["timestamps"]:
        res = c.offsets_for_times({TopicPartition(topic, p): ts for p in range(parts)})
        out[str(ts)] = {str(tp.partition): (o.offset if o is not None else -1) for tp, o in res.items()}
    c.close()
    done({"offsets": out})


{"metadata": metadata, "create_topics": create_topics, "delete_topics": delete_topics,
 "produce": produce, "consume": consume, "offsets_for_times": offsets_for_times}[CMD]()
