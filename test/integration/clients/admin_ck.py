"""confluent-kafka AdminClient against the broker: create_partitions,
alter_configs and describe_configs on a topic (and describe_configs of the broker).

One JSON argument {bootstrap, topic}; prints one JSON object as its last stdout line.
"""
import json
import sys

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient, ConfigResource, NewPartitions, NewTopic


def result(futures):
    out = {}
    for k, f in futures.items():
        try:
            f.result(timeout=15)
            out[str(k)] = None
        except KafkaException as e:
            err = e.args[0]
            out[str(k)] = {"name": err.name(), "str": err.str()}
    return out


def main():
    args = json.loads(sys.argv[1])
    topic = args["topic"]
    admin = AdminClient({"bootstrap.servers": args["bootstrap"]})
    res = {}
    res["create"] = result(admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)], operation_timeout=10))
    res["grow"] = result(admin.create_partitions([NewPartitions(topic, 4)], operation_timeout=10))
    res["shrink"] = result(admin.create_partitions([NewPartitions(topic, 3)], operation_timeout=10))
    md = admin.list_topics(topic=topic, timeout=10)
    res["partitions"] = len(md.topics[topic].partitions)

    res["alter"] = result(admin.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "3600000", "cleanup.policy": "compact"})]))
    res["alter_bad"] = result(admin.alter_configs([ConfigResource("topic", topic, set_config={"retention.ms": "abc"})]))
    described = {}
    for r, f in admin.describe_configs([ConfigResource("topic", topic)]).items():
        for name, entry in f.result(timeout=15).items():
            if name in ("retention.ms", "cleanup.policy", "segment.bytes"):
                described[name] = {"value": entry.value, "source": entry.source, "is_default": entry.is_default}
    res["described"] = described
    broker = {}
    for r, f in admin.describe_configs([ConfigResource("broker", "1")]).items():
        for name, entry in f.result(timeout=15).items():
            if name in ("log.retention.hours", "auto.create.topics.enable"):
                broker[name] = {"value": entry.value, "read_only": entry.is_read_only}
    res["broker"] = broker
    print(json.dumps(res))


if __name__ == "__main__":
    main()
