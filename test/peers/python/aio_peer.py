"""aiokafka (asyncio) from PyPI driver for test/peers/python-clients.test.ts.

Usage: aio_peer.py '{"cmd": "...", "bootstrap": "host:port", ...}'  -> prints one JSON object.
Every client starts from the client's default configuration: bootstrap servers, a group id,
and only what the scenario is about (a codec, acks, idempotence). aiokafka's producer defaults
to acks=1 without idempotence; its NewTopic needs a replication factor (1 here, as a user gives).
"""
import asyncio
import time
import uuid

import aiokafka
from aiokafka import AIOKafkaConsumer, AIOKafkaProducer, TopicPartition
from aiokafka.admin import AIOKafkaAdminClient, NewTopic
from aiokafka.coordinator.protocol import ConsumerProtocolMemberAssignment
from aiokafka.errors import KafkaError
from aiokafka.structs import OffsetAndMetadata

from peer_common import Clock, Collector, args, done, headers_of, key_of, log, partition_of, value_of

A = args()
CMD = A["cmd"]
BOOT = A["bootstrap"]
CLIENT = "aiokafka"


def error_of(e):
    return {"code": getattr(e, "errno", -1), "name": type(e).__name__, "str": str(e)[:300]}


async def admin_client():
    a = AIOKafkaAdminClient(bootstrap_servers=BOOT)
    await a.start()
    return a


def codes(resp, field):
    return {row[0]: row[1] for row in getattr(resp, field)}


async def create(a, topics, parts):
    """One CreateTopics request; a request-level failure (e.g. a timeout) is every topic's code."""
    try:
        return codes(await a.create_topics([NewTopic(t, parts, 1) for t in topics]), "topic_errors")
    except KafkaError as e:
        log("CreateTopics failed:", repr(e))
        return {t: error_of(e)["code"] for t in topics}


async def delete(a, topics):
    try:
        return codes(await a.delete_topics(topics), "topic_error_codes")
    except KafkaError as e:
        log("DeleteTopics failed:", repr(e))
        return {t: error_of(e)["code"] for t in topics}


async def version():
    done({"version": aiokafka.__version__})


async def create_topics():
    a = await admin_client()
    clock = Clock()
    res = await create(a, A["topics"], A["partitions"])
    ms = clock.ms()
    await a.close()
    done({"results": res, "create_ms": ms})


async def admin():
    a = await admin_client()
    topics, parts = A["topics"], A["partitions"]
    out = {}
    clock = Clock()
    out["create"] = await create(a, topics, parts)
    out["create_ms"] = clock.ms()
    clock = Clock()
    out["create_again"] = (await create(a, [topics[0]], parts))[topics[0]]
    out["create_again_ms"] = clock.ms()
    described = {}
    for t in await a.describe_topics(topics):
        if t["error_code"]:
            described[t["topic"]] = {"error": t["error_code"]}
        else:
            ps = sorted(t["partitions"], key=lambda p: p["partition"])
            described[t["topic"]] = {"partitions": len(ps), "leaders": [p["leader"] for p in ps]}
    out["describe"] = described
    clock = Clock()
    out["delete"] = (await delete(a, [topics[0]]))[topics[0]]
    out["delete_ms"] = clock.ms()
    deadline = time.time() + 30
    gone = False
    while time.time() < deadline:
        if topics[0] not in await a.list_topics():
            gone = True
            break
        await asyncio.sleep(0.1)
    out["gone"] = gone
    listed = await a.list_topics()
    out["others_listed"] = all(t in listed for t in topics[1:])
    out["delete_missing"] = (await delete(a, [topics[0]]))[topics[0]]
    await a.close()
    done(out)


async def produce_one(V):
    """Produces records [start, start+count) of the data set with one variant's settings."""
    extra = {}
    if V.get("codec") not in (None, "none"):
        extra["compression_type"] = V["codec"]
    if V.get("acks") is not None:
        extra["acks"] = V["acks"]
    if V.get("idempotence"):
        extra["enable_idempotence"] = True
    p = AIOKafkaProducer(bootstrap_servers=BOOT, **extra)
    await p.start()
    start, count, parts = V.get("start", 0), V["count"], V["partitions"]
    ts_base = V.get("timestamp_base")
    clock = Clock()
    futures = []
    for i in range(start, start + count):
        futures.append(await p.send(V["topic"], key=key_of(i), value=value_of(i), partition=partition_of(i, parts),
                                    headers=headers_of(i, CLIENT),
                                    timestamp_ms=(ts_base + i) if ts_base is not None else None))
    await p.flush()
    acked, errors = 0, []
    for r in await asyncio.gather(*futures, return_exceptions=True):
        if isinstance(r, Exception):
            if len(errors) < 10:
                errors.append(error_of(r))
        else:
            acked += 1
    ms = clock.ms()
    await p.stop()
    return {"acked": acked, "errors": errors, "ms": ms}


async def produce():
    """Each variant in turn (a new producer each), in one process."""
    done({"results": {v["name"]: await produce_one(v) for v in A["variants"]}})


async def consume_group():
    expected = A["expected"]
    c = AIOKafkaConsumer(*expected, bootstrap_servers=BOOT, group_id=A["group"], auto_offset_reset="earliest")
    await c.start()
    col = Collector(CLIENT)
    clock = Clock()
    deadline = time.time() + A.get("timeout_s", 120)
    while time.time() < deadline and any(col.total(t) < n for t, n in expected.items()):
        for tp, msgs in (await c.getmany(timeout_ms=500)).items():
            if msgs and "first_record" not in clock.marks:
                clock.mark("first_record")
            for m in msgs:
                col.add(tp.topic, tp.partition, m.offset, m.key, m.value, m.headers)
    ms = clock.ms()
    out = {"topics": col.summary(), "header_errors": col.header_errors, "errors": [], "ms": ms,
           "first_record_ms": clock.marks.get("first_record")}
    try:
        # stop() commits (auto-commit is on by default) and retries a failing commit without end.
        await asyncio.wait_for(c.stop(), 15)
    except asyncio.TimeoutError:
        out["close_error"] = "stop() (its final auto-commit) not done within 15 s"
    done(out)


async def commit_sync(c, offsets):
    """Commits and waits for the answer. aiokafka retries a commit that failed with a retriable
    error (UNKNOWN_TOPIC_OR_PARTITION among them) without end: bounded here, as an application would."""
    try:
        await asyncio.wait_for(c.commit(offsets) if offsets is not None else c.commit(), A.get("commit_timeout_s", 10))
        return []
    except KafkaError as e:
        return [{"partition": -1, **error_of(e)}]
    except asyncio.TimeoutError:
        return [{"partition": -1, "code": -1, "name": "TimeoutError",
                 "str": "commit not answered within %ss" % A.get("commit_timeout_s", 10)}]


async def commit_resume():
    topic, total, first = A["topic"], A["total"], A["first"]

    async def consumer():
        c = AIOKafkaConsumer(topic, bootstrap_servers=BOOT, group_id=A["group"], auto_offset_reset="earliest",
                             enable_auto_commit=False)
        await c.start()
        return c

    out = {}
    clock = Clock()
    deadline = time.time() + A.get("timeout_s", 90)
    c = await consumer()
    col = Collector(CLIENT)
    nxt = {}
    while col.total() < first and time.time() < deadline:
        for tp, msgs in (await c.getmany(timeout_ms=500)).items():
            for m in msgs:
                if col.total() >= first:
                    break
                col.add(tp.topic, tp.partition, m.offset, m.key, m.value, m.headers)
                nxt[tp.partition] = m.offset + 1
    out["commit_errors"] = await commit_sync(c, {TopicPartition(topic, p): OffsetAndMetadata(o, "")
                                                 for p, o in nxt.items()})
    await c.stop()
    out["first"] = {"topics": col.summary(), "committed": {str(p): o for p, o in nxt.items()}}
    c = await consumer()
    col = Collector(CLIENT)
    while col.total() < total - first and time.time() < deadline:
        for tp, msgs in (await c.getmany(timeout_ms=500)).items():
            for m in msgs:
                col.add(tp.topic, tp.partition, m.offset, m.key, m.value, m.headers)
    out["second"] = {"topics": col.summary(), "header_errors": col.header_errors}
    out["second_commit_errors"] = await commit_sync(c, None) if col.total() else []
    await c.stop()
    out["ms"] = clock.ms()
    done(out)


async def groups():
    topic, group, expected = A["topic"], A["group"], A["expected"]
    c = AIOKafkaConsumer(topic, bootstrap_servers=BOOT, group_id=group, auto_offset_reset="earliest",
                         enable_auto_commit=False)
    await c.start()
    n = 0
    deadline = time.time() + A.get("timeout_s", 90)
    while n < expected and time.time() < deadline:
        n += sum(len(msgs) for msgs in (await c.getmany(timeout_ms=500)).values())
    out = {"consumed": n, "commit_errors": await commit_sync(c, None)}
    a = await admin_client()
    listed = None
    while time.time() < deadline:
        listed = next((g for g in await a.list_consumer_groups() if g[0] == group), None)
        if listed is not None:
            break
        await asyncio.sleep(0.1)
    # aiokafka's ListGroups (v0–v2) carries no state; the state comes from DescribeGroups.
    out["listed"] = None if listed is None else {"state": None, "simple": listed[1] != "consumer"}
    resp = (await a.describe_consumer_groups([group]))[0]
    g = next(x for x in resp.groups if x[1] == group)
    assigned = []
    for member in g[5]:
        for t, ps in ConsumerProtocolMemberAssignment.decode(member[4]).assignment:
            if t == topic:
                assigned.extend(ps)
    out["described"] = {"state": g[2].lower(), "protocol_type": g[3], "members": len(g[5]),
                        "assigned": sorted(assigned)}
    offs = await a.list_consumer_group_offsets(group)
    out["offsets"] = {str(tp.partition): o.offset for tp, o in offs.items() if tp.topic == topic}
    await a.close()
    await c.stop()
    done(out)


async def offsets_for_times():
    c = AIOKafkaConsumer(bootstrap_servers=BOOT, group_id="peers-" + uuid.uuid4().hex)
    await c.start()
    topic, parts = A["topic"], A["partitions"]
    out = {}
    for ts in A["timestamps"]:
        res = await c.offsets_for_times({TopicPartition(topic, p): ts for p in range(parts)})
        out[str(ts)] = {str(tp.partition): (o.offset if o is not None else -1) for tp, o in res.items()}
    await c.stop()
    done({"offsets": out})


asyncio.run({"version": version, "create_topics": create_topics, "admin": admin, "produce": produce,
             "consume_group": consume_group, "commit_resume": commit_resume, "groups": groups,
             "offsets_for_times": offsets_for_times}[CMD]())
