"""confluent-kafka group consumer for the groups integration test.

Argument: JSON {bootstrap, topic, group, count}. Consumes `count` records as a
member of `group` (auto.offset.reset=earliest), committing each synchronously,
then closes (leaving the group). Prints {"records": [[partition, offset, value], ...]}.
"""
import json
import sys
import time

from confluent_kafka import Consumer

args = json.loads(sys.argv[1])
c = Consumer({
    'bootstrap.servers': args['bootstrap'],
    'group.id': args['group'],
    'auto.offset.reset': 'earliest',
    'enable.auto.commit': False,
    'session.timeout.ms': 6000,
    'heartbeat.interval.ms': 500,
})
c.subscribe([args['topic']])
out = []
deadline = time.time() + 40
while len(out) < args['count'] and time.time() < deadline:
    m = c.poll(0.5)
    if m is None:
        continue
    if m.error():
        print('error', m.error(), file=sys.stderr)
        continue
    out.append([m.partition(), m.offset(), m.value().decode()])
    c.commit(message=m, asynchronous=False)
c.close()
print(json.dumps({'records': out}))
