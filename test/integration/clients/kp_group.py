"""kafka-python group consumer driver (classic group protocol) for the integration tests.

Usage: kp_group.py '{"bootstrap": "host:port", "topic": "...", "group": "...", "max": N, "timeout_s": S}'
Joins the group, reads at most `max` records (committing each poll's records
synchronously, exactly up to the last one returned), leaves, and prints
{"values": [...], "committed": {"partition": offset}}.
"""
import time

from kafka import KafkaConsumer, TopicPartition
from kafka.structs import OffsetAndMetadata

from common import args, done

A = args()
c = KafkaConsumer(A["topic"], bootstrap_servers=A["bootstrap"], group_id=A["group"], enable_auto_commit=False,
                  auto_offset_reset="earliest", session_timeout_ms=10000, heartbeat_interval_ms=1000,
                  request_timeout_ms=30000)
values = []
deadline = time.time() + A.get("timeout_s", 30)
limit = A["max"]
while len(values) < limit and time.time() < deadline:
    batch = c.poll(timeout_ms=300, max_records=limit - len(values))
    commit = {}
    for tp, msgs in batch.items():
        for m in msgs:
            values.append(m.value.decode())
            commit[tp] = OffsetAndMetadata(m.offset + 1, "")
    if commit:
        c.commit(commit)
parts = c.partitions_for_topic(A["topic"]) or set()
committed = {str(p): c.committed(TopicPartition(A["topic"], p)) for p in sorted(parts)}
c.close()
done({"values": values, "committed": committed})
