"""Clients for the failover tests (confluent-kafka and kafka-python).

Usage: failover_ck.py '<json args>' with args.mode one of:
  produce   keyed records "k-<i>" / "v-<i>" for i in [start, start+count) to partition i % partitions,
            at up to `rate` records/s; returns every delivery report: acked [partition, offset, i]
            and failed error names. Progress lines ("sent N acked M") go to stderr.
  consume   reads partitions [0, partitions) from the beginning up to their high watermarks;
            returns per partition the [offset, i] pairs in order.
  consume_n  reads from offset 0 until `count` records arrived; same output as consume.
  produce_one  one record with acks=all, no retries; returns the delivery error name or null.
  kp_metadata  kafka-python's view of the cluster: brokers and, per partition, leader/replicas/isr.
"""
import json
import sys
import time


def produce(a):
    from confluent_kafka import Producer
    conf = {
        "bootstrap.servers": a["bootstrap"],
        "enable.idempotence": True,
        "acks": "all",
        "linger.ms": 5,
        "message.timeout.ms": a.get("message_timeout_ms", 120000),
        "retry.backoff.ms": 100,
        "reconnect.backoff.ms": 50,
        "reconnect.backoff.max.ms": 500,
        "topic.metadata.refresh.interval.ms": 1000,
    }
    p = Producer(conf)
    acked = []
    failed = {}
    def report(err, msg):
        i = int(msg.value()[2:])
        if err is None:
            acked.append([msg.partition(), msg.offset(), i])
        else:
            failed[err.name()] = failed.get(err.name(), 0) + 1
    start, count, parts, rate = a.get("start", 0), a["count"], a["partitions"], a.get("rate", 0)
    t0 = time.time()
    last_log = t0
    for n in range(count):
        i = start + n
        while True:
            try:
                p.produce(a["topic"], key=b"k-%d" % i, value=b"v-%d" % i, partition=i % parts, on_delivery=report)
                break
            except BufferError:
                p.poll(0.05)
        p.poll(0)
        if rate:
            ahead = (n + 1) / rate - (time.time() - t0)
            if ahead > 0:
                p.poll(ahead)
        now = time.time()
        if now - last_log >= 1:
            last_log = now
            sys.stderr.write("sent %d acked %d failed %d\n" % (n + 1, len(acked), sum(failed.values())))
            sys.stderr.flush()
    left = p.flush(a.get("flush_timeout_s", 180))
    print(json.dumps({"acked": acked, "failed": failed, "unflushed": left, "seconds": time.time() - t0}))


def consume(a):
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({
        "bootstrap.servers": a["bootstrap"], "group.id": "failover-check", "enable.auto.commit": False,
        "auto.offset.reset": "earliest", "enable.partition.eof": False, "fetch.wait.max.ms": 100,
    })
    topic, parts = a["topic"], a["partitions"]
    ends = {}
    for part in range(parts):
        lo, hi = c.get_watermark_offsets(TopicPartition(topic, part), timeout=20)
        ends[part] = hi
    c.assign([TopicPartition(topic, part, 0) for part in range(parts)])
    out = {str(part): [] for part in range(parts)}
    pos = {part: 0 for part in range(parts)}
    deadline = time.time() + a.get("timeout_s", 60)
    while any(pos[part] < ends[part] for part in range(parts)) and time.time() < deadline:
        for m in c.consume(10000, 0.5):
            if m.error():
                continue
            out[str(m.partition())].append([m.offset(), int(m.value()[2:])])
            pos[m.partition()] = m.offset() + 1
    c.close()
    print(json.dumps({"records": out, "ends": {str(k): v for k, v in ends.items()}}))


def consume_n(a):
    """Reads partitions [0, partitions) from offset 0 until `count` records arrived (or the timeout)."""
    from confluent_kafka import Consumer, TopicPartition
    c = Consumer({
        "bootstrap.servers": a["bootstrap"], "group.id": "failover-check", "enable.auto.commit": False,
        "auto.offset.reset": "earliest", "fetch.wait.max.ms": 100, "topic.metadata.refresh.interval.ms": 1000,
    })
    c.assign([TopicPartition(a["topic"], part, 0) for part in range(a["partitions"])])
    out = {str(part): [] for part in range(a["partitions"])}
    n = 0
    errors = {}
    deadline = time.time() + a.get("timeout_s", 60)
    last_log = time.time()
    while n < a["count"] and time.time() < deadline:
        for m in c.consume(10000, 0.5):
            if m.error():
                errors[m.error().name()] = errors.get(m.error().name(), 0) + 1
                continue
            out[str(m.partition())].append([m.offset(), int(m.value()[2:])])
            n += 1
        if time.time() - last_log >= 1:
            last_log = time.time()
            sys.stderr.write("consumed %d\n" % n)
            sys.stderr.flush()
    c.close()
    print(json.dumps({"records": out, "count": n, "errors": errors}))


def produce_one(a):
    from confluent_kafka import Producer
    p = Producer({
        "bootstrap.servers": a["bootstrap"], "acks": "all", "retries": 0, "enable.idempotence": False,
        "message.timeout.ms": a.get("message_timeout_ms", 15000),
    })
    result = {}
    def report(err, msg):
        result["error"] = err.name() if err else None
        result["offset"] = msg.offset()
    t0 = time.time()
    p.produce(a["topic"], key=b"k", value=b"v-0", partition=a.get("partition", 0), on_delivery=report)
    p.flush(a.get("message_timeout_ms", 15000) / 1000 + 10)
    result["seconds"] = time.time() - t0
    print(json.dumps(result))


def kp_metadata(a):
    from kafka import KafkaAdminClient
    admin = KafkaAdminClient(bootstrap_servers=a["bootstrap"], request_timeout_ms=10000)
    cluster = admin.describe_cluster()
    topics = admin.describe_topics([a["topic"]])
    admin.close()
    t = topics[0]
    print(json.dumps({
        "brokers": sorted([b["node_id"], b["host"], b["port"]] for b in cluster["brokers"]),
        "controller": cluster.get("controller_id"),
        "error": t["error_code"],
        "partitions": sorted([p["partition"], p["leader"], p["replicas"], p["isr"]] for p in t["partitions"]),
    }))


if __name__ == "__main__":
    args = json.loads(sys.argv[1])
    {"produce": produce, "consume": consume, "consume_n": consume_n, "produce_one": produce_one, "kp_metadata": kp_metadata}[args["mode"]](args)
