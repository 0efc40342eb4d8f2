"""confluent-kafka (librdkafka) client driver for the integration tests.

Usage: ck.py '{"cmd": "...", "bootstrap": "host:port", ...}'  -> prints one JSON object.
"""
import sys
import time
import uuid

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition
from confluent_kafka.admin import AdminClient, NewTopic

from common import PartitionCollector, args, done, key_of, partition_of, value_of

A = args()
CMD = A["cmd"]
BOOT = A["bootstrap"]
BASE = {"bootstrap.servers": BOOT, "broker.address.family": "v4"}


def admin():
    return AdminClient(dict(BASE))


def metadata():
    c = admin()
    md = c.list_topics(topic=A.get("topic"), timeout=A.get("timeout_s", 10))
    topics = {}
    for name, t in md.topics.items():
        topics[name] = {
            "error": t.error.code() if t.error else 0,
            "partitions": {str(p.id): {"leader": p.leader, "replicas": list(p.replicas), "isrs": list(p.isrs)}
                           for p in t.partitions.values()},
        }
    done({
        "cluster_id": md.cluster_id, "controller_id": md.controller_id,
        "brokers": [{"id": b.id, "host": b.host, "port": b.port} for b in md.brokers.values()],
        "topics": topics,
    })


def create_topics():
    c = admin()
    fs = c.create_topics([NewTopic(t, num_partitions=A.get("partitions", 1), replication_factor=1,
                                   config=A.get("config", {})) for t in A["topics"]],
                         operation_timeout=10, request_timeout=15)
    res = {}
    for t, f in fs.items():
        try:
            f.result(timeout=20)
            res[t] = {"error": None}
        except KafkaException as e:
            err = e.args[0]
            res[t] = {"error": err.name(), "code": err.code()}
    done({"results": res})


def delete_topics():
    c = admin()
    fs = c.delete_topics(A["topics"], operation_timeout=10, request_timeout=15)
    res = {}
    for t, f in fs.items():
        try:
            f.result(timeout=20)
            res[t] = {"error": None}
        except KafkaException as e:
            err = e.args[0]
            res[t] = {"error": err.name(), "code": err.code()}
    done({"results": res})


def produce():
    conf = dict(BASE)
    conf.update({
        "compression.type": A.get("codec", "none"), "acks": str(A.get("acks", "all")),
        "linger.ms": 5, "enable.idempotence": A.get("idempotence", False),
        "queue.buffering.max.messages": 1000000, "message.timeout.ms": A.get("timeout_s", 60) * 1000,
    })
    p = Producer(conf)
    start, count, parts = A.get("start", 0), A["count"], A.get("partitions", 8)
    ts_base = A.get("timestamp_base")
    auto_partition = A.get("auto_partition", False)
    errors = []
    acked = [0]

    def cb(err, msg):
        if err is not None:
            if len(errors) < 10:
                errors.append({"name": err.name(), "code": err.code(), "str": err.str()})
        else:
            acked[0] += 1

    topic = A["topic"]
    for i in range(start, start + count):
        kw = {"key": key_of(i), "value": value_of(i), "on_delivery": cb}
        if not auto_partition:
            kw["partition"] = partition_of(i, parts)
        if ts_base is not None:
            kw["timestamp"] = ts_base + i
        while True:
            try:
                p.produce(topic, **kw)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
    remaining = p.flush(A.get("timeout_s", 60))
    done({"acked": acked[0], "errors": errors, "unflushed": remaining})


def produce_continuous():
    """Produces record after record (acks=1) until killed or max_s passes; prints
    'ack <partition> <offset> <i>' for each acknowledged delivery as it happens."""
    conf = dict(BASE)
    conf.update({"acks": "1", "linger.ms": 2, "compression.type": A.get("codec", "none"),
                 "message.timeout.ms": 300000, "retries": 0, "enable.idempotence": False})
    p = Producer(conf)
    parts = A.get("partitions", 8)
    out = sys.stdout

    def cb(err, msg):
        if err is None:
            i = int(msg.key()[4:])
            out.write("ack %d %d %d\n" % (msg.partition(), msg.offset(), i))

    deadline = time.time() + A.get("max_s", 60)
    i = 0
    while time.time() < deadline:
        try:
            p.produce(A["topic"], key=key_of(i), value=value_of(i), partition=partition_of(i, parts), on_delivery=cb)
            i += 1
        except BufferError:
            p.poll(0.01)
        if i % 100 == 0:
            p.poll(0)
            out.flush()
            if i % 2000 == 0:
                time.sleep(0.005)  # keep the rate bounded
    p.flush(5)
    out.flush()
    done({"sent": i})


def consume():
    conf = dict(BASE)
    conf.update({"group.id": "it-" + uuid.uuid4().hex, "enable.auto.commit": False,
                 "auto.offset.reset": "earliest", "enable.partition.eof": True,
                 "check.crcs": True})
    c = Consumer(conf)
    topic, parts = A["topic"], A.get("partitions", 8)
    expected = A.get("expected")  # total count to wait for, or None: read to end of every partition
    c.assign([TopicPartition(topic, p, -2) for p in range(parts)])  # -2 = OFFSET_BEGINNING
    col = PartitionCollector(keep_records=A.get("keep_records", False))
    eof = set()
    deadline = time.time() + A.get("timeout_s", 60)
    errors = []
    while time.time() < deadline:
        msgs = c.consume(num_messages=10000, timeout=0.5)
        for m in msgs:
            e = m.error()
            if e is not None:
                if e.code() == KafkaError._PARTITION_EOF:
                    eof.add(m.partition())
                elif len(errors) < 10:
                    errors.append({"name": e.name(), "code": e.code()})
                continue
            eof.discard(m.partition())
            col.add(m.partition(), m.offset(), m.key(), m.value())
        if expected is not None and col.total() >= expected and len(eof) == parts:
            break
        if expected is None and len(eof) == parts:
            break
    c.close()
    done({"partitions": col.summary(), "total": col.total(), "errors": errors, "eof": sorted(eof)})


def offsets_for_times():
    conf = dict(BASE)
    conf.update({"group.id": "it-" + uuid.uuid4().hex, "enable.auto.commit": False})
    c = Consumer(conf)
    topic, parts = A["topic"], A.get("partitions", 8)
    out = {}
    for ts in A["timestamps"]:
        res = c.offsets_for_times([TopicPartition(topic, p, ts) for p in range(parts)], timeout=15)
        out[str(ts)] = {str(tp.partition): tp.offset for tp in res}
    wm = {}
    for p in range(parts):
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, p), timeout=10)
        wm[str(p)] = [lo, hi]
    c.close()
    done({"offsets": out, "watermarks": wm})


{"metadata": metadata, "create_topics": create_topics, "delete_topics": delete_topics,
 "produce": produce, "produce_continuous": produce_continuous, "consume": consume,
 "offsets_for_times": offsets_for_times}[CMD]()
