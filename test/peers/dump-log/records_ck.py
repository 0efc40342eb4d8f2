"""Produces and reads back the record set of test/peers/dump-log.test.ts with confluent-kafka (librdkafka).

Usage: echo '{"cmd": "produce"|"consume", "bootstrap": "host:port", "topic": "...", ...}' | records_ck.py
(the arguments come on stdin: a produce plan is too large for a command line). Prints one JSON
object as its last stdout line.

produce: every batch of the plan is produced and then flushed, with linger.ms high enough that
librdkafka sends exactly that batch as one record batch; records carry explicit timestamps, so the
bytes of each batch depend only on this plan (no idempotence: producer id -1).
consume: reads partition 0 from the start up to its high watermark and returns every record (and
with "commit": true commits the high watermark for the group "dump-log-reader").
"""
import base64
import json
import os
import sys
import time

from confluent_kafka import Consumer, KafkaError, KafkaException, Producer, TopicPartition

A = json.loads(sys.stdin.read())
BASE = {"bootstrap.servers": A["bootstrap"], "broker.address.family": "v4"}


def b64(b):
    return None if b is None else base64.b64encode(b).decode()


def done(obj):
    print(json.dumps(obj))
    sys.stdout.flush()
    # python3-confluent-kafka 1.7.0 (Debian's) drops a reference to None for every null header
    # value Message.headers() returns; the interpreter then aborts while finalizing
    # ("none_dealloc: deallocating None"). Everything is done here: leave without finalizing.
    os._exit(0)


def produce():
    errors = []

    def on_delivery(err, msg):
        if err is not None:
            errors.append(str(err))

    sent = 0
    for batch in A["batches"]:
        p = Producer(dict(BASE, **{
            "compression.type": batch["codec"],
            "linger.ms": 60000,
            "batch.num.messages": 100000,
            "acks": "all",
            "enable.idempotence": False,
        }))
        # With the partition's leader known before the first record, every record waits in the
        # partition's queue until flush() sends them together.
        p.list_topics(A["topic"], timeout=20)
        for r in batch["records"]:
            headers = [(h[0], None if h[1] is None else base64.b64decode(h[1])) for h in r["headers"]]
            p.produce(A["topic"], partition=0,
                      key=None if r["key"] is None else base64.b64decode(r["key"]),
                      value=None if r["value"] is None else base64.b64decode(r["value"]),
                      headers=headers or None, timestamp=r["timestamp"], on_delivery=on_delivery)
            sent += 1
        left = p.flush(60)
        if left:
            errors.append("%d records not delivered" % left)
    done({"sent": sent, "errors": errors})


def consume():
    c = Consumer(dict(BASE, **{"group.id": "dump-log-reader", "enable.auto.commit": False,
                               "auto.offset.reset": "earliest"}))
    tp = TopicPartition(A["topic"], 0)
    low, high = c.get_watermark_offsets(tp, timeout=20)
    c.assign([TopicPartition(A["topic"], 0, low)])
    out = []
    while len(out) < high - low:
        m = c.poll(10)
        if m is None:
            break
        if m.error():
            done({"error": str(m.error())})
            return
        ts_type, ts = m.timestamp()
        out.append({
            "offset": m.offset(), "timestamp": ts, "timestampType": ts_type,
            "key": b64(m.key()), "value": b64(m.value()),
            "headers": [[k, b64(v)] for k, v in (m.headers() or [])],
        })
    if A.get("commit"):
        # Right after __consumer_offsets is created its coordinator may still be loading or
        # moving (COORDINATOR_LOAD_IN_PROGRESS, NOT_COORDINATOR): retry until a deadline, as the
        # Java client does; every error seen is returned.
        deadline = time.time() + 60
        commit_errors = []
        while True:
            try:
                c.commit(offsets=[TopicPartition(A["topic"], 0, high)], asynchronous=False)
                break
            except KafkaException as e:
                commit_errors.append(e.args[0].name())
                retry = e.args[0].retriable() or e.args[0].code() in (
                    KafkaError.NOT_COORDINATOR, KafkaError.COORDINATOR_NOT_AVAILABLE)
                if not retry or time.time() > deadline:
                    raise
                time.sleep(0.2)
    c.close()
    done({"low": low, "high": high, "records": out, "commitErrors": commit_errors if A.get("commit") else []})


{"produce": produce, "consume": consume}[A["cmd"]]()
