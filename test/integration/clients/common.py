"""Shared by the Python client scripts: the data set and per-partition digests.

Must match test/helpers/clients.ts (keyOf, valueOf, partitionOf, PartitionDigest).
Each script takes one JSON argument and prints one JSON object as its last stdout line.
"""
import hashlib
import json
import struct
import sys


def key_of(i):
    return ("key-%d" % i).encode()


def value_of(i):
    h = format((i * 2654435761) & 0xFFFFFFFF, "x")
    return ("value-%d-%s-%s" % (i, h, "abcdefghij"[i % 10] * (i % 64))).encode()


def partition_of(i, partitions):
    return i % partitions


class Digest:
    def __init__(self):
        self.h = hashlib.sha256()
        self.count = 0

    def add(self, key, value):
        key = key or b""
        value = value or b""
        self.h.update(struct.pack(">I", len(key)))
        self.h.update(key)
        self.h.update(struct.pack(">I", len(value)))
        self.h.update(value)
        self.count += 1


class PartitionCollector:
    """Collects consumed records per partition: digest, offsets, order checks."""

    def __init__(self, keep_records=False):
        self.parts = {}
        self.keep = keep_records

    def add(self, partition, offset, key, value):
        p = self.parts.get(partition)
        if p is None:
            p = self.parts[partition] = {
                "digest": Digest(), "first_offset": offset, "last_offset": None,
                "offsets_increasing": True, "records": [],
            }
        if p["last_offset"] is not None and offset <= p["last_offset"]:
            p["offsets_increasing"] = False
        p["last_offset"] = offset
        p["digest"].add(key, value)
        if self.keep:
            p["records"].append([offset, (key or b"").decode("latin-1"), (value or b"").decode("latin-1")])

    def total(self):
        return sum(p["digest"].count for p in self.parts.values())

    def count(self, partition):
        p = self.parts.get(partition)
        return p["digest"].count if p else 0

    def summary(self):
        out = {}
        for part, p in sorted(self.parts.items()):
            s = {
                "count": p["digest"].count, "digest": p["digest"].h.hexdigest(),
                "first_offset": p["first_offset"], "last_offset": p["last_offset"],
                "offsets_increasing": p["offsets_increasing"],
            }
            if self.keep:
                s["records"] = p["records"]
            out[str(part)] = s
        return out


def args():
    return json.loads(sys.argv[1])


def done(obj):
    sys.stdout.write(json.dumps(obj) + "\n")
    sys.stdout.flush()
