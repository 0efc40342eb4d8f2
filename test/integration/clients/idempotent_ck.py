"""An idempotent confluent-kafka (librdkafka) producer for the idempotence test.

Usage: idempotent_ck.py '{"bootstrap": "host:port", "topic": "t", "count": N, "partitions": P}'
Sends N keyed records (value "seq-<i>", partition i % P) with enable.idempotence=true
and acks=all, a few at a time, printing "progress <delivered>" lines as
acknowledgements arrive (the test kills and restarts the broker meanwhile).
The last line is JSON: the acknowledged sequence numbers and the errors seen.
"""
import json
import sys
import time

from confluent_kafka import Producer

A = json.loads(sys.argv[1])
p = Producer({
    "bootstrap.servers": A["bootstrap"],
    "broker.address.family": "v4",
    "enable.idempotence": True,
    "acks": "all",
    "linger.ms": 5,
    "message.timeout.ms": 60000,
    "reconnect.backoff.ms": 50,
    "reconnect.backoff.max.ms": 200,
    "retry.backoff.ms": 50,
    # Short, so a paused broker makes the producer time out and resend batches
    # the broker then also receives from the old connection.
    "request.timeout.ms": A.get("request_timeout_ms", 30000),
})
acked = []
errors = []


def on_delivery(err, msg):
    if err is not None:
        errors.append(str(err))
    else:
        acked.append(int(msg.value().decode().split("-")[1]))


count = A["count"]
parts = A["partitions"]
last_report = 0
for i in range(count):
    while True:
        try:
            p.produce(A["topic"], key=("k-%d" % i).encode(), value=("seq-%d" % i).encode(),
                      partition=i % parts, on_delivery=on_delivery)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
    if i % 20 == 19:
        time.sleep(0.01)
    if len(acked) - last_report >= 100:
        last_report = len(acked)
        print("progress %d" % last_report, flush=True)
deadline = time.time() + 60
while len(p) > 0 and time.time() < deadline:
    p.poll(0.1)
    if len(acked) - last_report >= 100:
        last_report = len(acked)
        print("progress %d" % last_report, flush=True)
remaining = p.flush(1)
print(json.dumps({"acked": acked, "errors": errors[:20], "errorCount": len(errors), "remaining": remaining}), flush=True)
