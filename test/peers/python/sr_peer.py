"""confluent-kafka's Schema Registry client and serializers (PyPI) driver for test/peers/schema-registry.test.ts.

Usage: sr_peer.py '{"bootstrap": "host:port", "registry": "http://host:port", "prefix": "p", "count": N}'
-> prints one JSON object as its last stdout line.

For each of Avro, Protobuf and JSON Schema it produces N records with the type's serializer
(auto.register.schemas, the default), consumes them back with the type's deserializer (the
writer's schema fetched from the registry by the id in each record), and reports what it saw:
the values that came back wrong, the schema ids framed in the records (magic byte 0, 4-byte id)
and the registry's answers to the client's own calls (versions, compatibility, a 409, a 404).
"""
import struct

from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic
from confluent_kafka.schema_registry import Schema, SchemaRegistryClient
from confluent_kafka.schema_registry.avro import AvroDeserializer, AvroSerializer
from confluent_kafka.schema_registry.error import SchemaRegistryError
from confluent_kafka.schema_registry.json_schema import JSONDeserializer, JSONSerializer
from confluent_kafka.schema_registry.protobuf import ProtobufDeserializer, ProtobufSerializer
from confluent_kafka.serialization import MessageField, SerializationContext
from google.protobuf import descriptor_pb2, descriptor_pool, message_factory

from peer_common import args, done, log  # noqa: E402

A = args()
BOOT = A["bootstrap"]
PREFIX = A["prefix"]
N = A["count"]

sr = SchemaRegistryClient({"url": A["registry"]})

AVRO_V1 = """{"type": "record", "name": "User", "namespace": "samsa.test",
 "fields": [{"name": "name", "type": "string"}, {"name": "n", "type": "long"}]}"""
AVRO_V2 = """{"type": "record", "name": "User", "namespace": "samsa.test",
 "fields": [{"name": "name", "type": "string"}, {"name": "n", "type": "long"},
            {"name": "email", "type": ["null", "string"], "default": null}]}"""
AVRO_BAD = """{"type": "record", "name": "User", "namespace": "samsa.test",
 "fields": [{"name": "name", "type": "string"}, {"name": "n", "type": "long"}, {"name": "age", "type": "int"}]}"""
JSON_SCHEMA = """{"$schema": "http://json-schema.org/draft-07/schema#", "title": "Event", "type": "object",
 "properties": {"kind": {"type": "string"}, "n": {"type": "integer"}}, "required": ["kind", "n"]}"""


def order_class():
    """A Protobuf message class built at run time (no protoc): samsa.test.Order {int64 id = 1; string item = 2;}."""
    fdp = descriptor_pb2.FileDescriptorProto(name="samsa_test_order.proto", package="samsa.test", syntax="proto3")
    m = fdp.message_type.add(name="Order")
    F = descriptor_pb2.FieldDescriptorProto
    m.field.add(name="id", number=1, type=F.TYPE_INT64, label=F.LABEL_OPTIONAL)
    m.field.add(name="item", number=2, type=F.TYPE_STRING, label=F.LABEL_OPTIONAL)
    m.field.add(name="tags", number=3, type=F.TYPE_STRING, label=F.LABEL_REPEATED)
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName("samsa.test.Order"))


def produce(topic, serializer, values):
    p = Producer({"bootstrap.servers": BOOT})
    errors = []
    for i, v in enumerate(values):
        data = serializer(v, SerializationContext(topic, MessageField.VALUE))
        p.produce(topic, key=f"key-{i}".encode(), value=data,
                  on_delivery=lambda err, _m: errors.append(str(err)) if err else None)
        p.poll(0)
    left = p.flush(60)
    if left or errors:
        raise RuntimeError(f"produce to {topic}: {left} undelivered, errors {errors[:3]}")


def consume(topic, deserializer, count):
    c = Consumer({"bootstrap.servers": BOOT, "group.id": f"{topic}-reader", "auto.offset.reset": "earliest"})
    c.subscribe([topic])
    out, ids = [], []
    idle = 0
    while len(out) < count and idle < 60:
        m = c.poll(1.0)
        if m is None:
            idle += 1
            continue
        if m.error():
            raise RuntimeError(f"consume {topic}: {m.error()}")
        raw = m.value()
        magic, schema_id = struct.unpack(">bI", raw[:5])
        ids.append(schema_id if magic == 0 else -1)
        out.append(deserializer(raw, SerializationContext(topic, MessageField.VALUE)))
    c.close()
    return out, ids


def registry_error(f):
    try:
        f()
        return None
    except SchemaRegistryError as e:
        return {"status": e.http_status_code, "code": e.error_code, "message": e.error_message}


def avro_scenario():
    topic = f"{PREFIX}-avro"
    subject = f"{topic}-value"
    v1 = [{"name": f"user-{i}", "n": i} for i in range(N)]
    produce(topic, AvroSerializer(sr, AVRO_V1), v1)
    # A compatible evolution (an optional field with a default), registered by the serializer too.
    v2 = [{"name": f"user-{i}", "n": i, "email": f"u{i}@example.com"} for i in range(N, 2 * N)]
    produce(topic, AvroSerializer(sr, AVRO_V2), v2)
    # No reader schema: each record is read with its writer's schema, fetched by the id it carries.
    got, ids = consume(topic, AvroDeserializer(sr), 2 * N)
    want = v1 + v2
    latest = sr.get_latest_version(subject)
    return {
        "wrong": sum(1 for a, b in zip(got, want) if a != b) + abs(len(got) - len(want)),
        "ids": sorted(set(ids)),
        "versions": sr.get_versions(subject),
        "latestVersion": latest.version,
        "latestId": latest.schema_id,
        "v1Id": sr.get_version(subject, 1).schema_id,
        "incompatible": registry_error(lambda: sr.register_schema(subject, Schema(AVRO_BAD, "AVRO"))),
        "compatible": sr.test_compatibility(subject, Schema(AVRO_BAD, "AVRO")),
        "lookupVersion": sr.lookup_schema(subject, Schema(AVRO_V1, "AVRO")).version,
        "missing": registry_error(lambda: sr.get_latest_version(f"{PREFIX}-no-such-subject")),
        "compatibility": sr.get_compatibility(),
    }


def protobuf_scenario():
    Order = order_class()
    topic = f"{PREFIX}-proto"
    subject = f"{topic}-value"
    values = []
    for i in range(N):
        o = Order(id=i, item=f"item-{i}")
        o.tags.extend([f"t{i % 3}", "x"])
        values.append(o)
    produce(topic, ProtobufSerializer(Order, sr, {"use.deprecated.format": False}), values)
    got, ids = consume(topic, ProtobufDeserializer(Order, {"use.deprecated.format": False}, sr), N)
    latest = sr.get_latest_version(subject)
    return {
        "wrong": sum(1 for a, b in zip(got, values) if a != b) + abs(len(got) - N),
        "ids": sorted(set(ids)),
        "latestId": latest.schema_id,
        "schemaType": latest.schema.schema_type,
        "schema": latest.schema.schema_str,
    }


def json_scenario():
    topic = f"{PREFIX}-json"
    subject = f"{topic}-value"
    values = [{"kind": "click" if i % 2 else "view", "n": i} for i in range(N)]
    produce(topic, JSONSerializer(JSON_SCHEMA, sr), values)
    got, ids = consume(topic, JSONDeserializer(JSON_SCHEMA, schema_registry_client=sr), N)
    latest = sr.get_latest_version(subject)
    # A value the schema rejects never reaches Kafka: the serializer validates it.
    invalid = None
    try:
        JSONSerializer(JSON_SCHEMA, sr)({"kind": 1}, SerializationContext(topic, MessageField.VALUE))
    except Exception as e:  # noqa: BLE001 - the serializer's own error type
        invalid = type(e).__name__
    return {
        "wrong": sum(1 for a, b in zip(got, values) if a != b) + abs(len(got) - N),
        "ids": sorted(set(ids)),
        "latestId": latest.schema_id,
        "schemaType": latest.schema.schema_type,
        "invalid": invalid,
    }


admin = AdminClient({"bootstrap.servers": BOOT})
fs = admin.create_topics([NewTopic(f"{PREFIX}-{t}", num_partitions=1) for t in ("avro", "proto", "json")])
for f in fs.values():
    f.result(30)
result = {}
for name, scenario in (("avro", avro_scenario), ("protobuf", protobuf_scenario), ("json", json_scenario)):
    log(f"{name} scenario")
    result[name] = scenario()
result["subjects"] = sorted(s for s in sr.get_subjects() if s.startswith(PREFIX))
done(result)
