"""Shared by the PyPI client drivers (ck_peer.py, kp_peer.py, aio_peer.py).

The data set and its digests come from test/integration/clients/common.py (the same definitions
as test/helpers/clients.ts), so the Debian and the PyPI clients are checked against one data set.
Each driver takes one JSON argument and prints one JSON object as its last stdout line.
"""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "integration", "clients"))

from common import Digest, PartitionCollector, args, done, key_of, partition_of, value_of  # noqa: E402,F401

__all__ = [
    "Digest", "PartitionCollector", "args", "done", "key_of", "partition_of", "value_of",
    "headers_of", "Collector", "Clock", "fetch_value", "FetchCheck",
]


def headers_of(i, client):
    """The headers record i carries: its index and the producing client's name."""
    return [("i", str(i).encode()), ("client", client.encode())]


def index_of_key(key):
    return int(key[4:]) if key and key.startswith(b"key-") else -1


class Collector:
    """Per-topic PartitionCollectors, plus a check of every record's headers against its key."""

    def __init__(self, client):
        self.client = client.encode()
        self.topics = {}
        self.header_errors = []

    def add(self, topic, partition, offset, key, value, headers):
        col = self.topics.get(topic)
        if col is None:
            col = self.topics[topic] = PartitionCollector()
        col.add(partition, offset, key, value)
        want = [("i", str(index_of_key(key)).encode()), ("client", self.client)]
        got = [(k, bytes(v) if v is not None else None) for k, v in (headers or [])]
        if got != want and len(self.header_errors) < 5:
            self.header_errors.append({"topic": topic, "partition": partition, "offset": offset,
                                       "got": [[k, (v or b"").decode("latin-1")] for k, v in got]})

    def total(self, topic=None):
        if topic is not None:
            col = self.topics.get(topic)
            return col.total() if col else 0
        return sum(c.total() for c in self.topics.values())

    def summary(self):
        return {t: c.summary() for t, c in sorted(self.topics.items())}


class Clock:
    """Milliseconds since creation, and named laps."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.marks = {}

    def ms(self):
        return round((time.monotonic() - self.t0) * 1000)

    def mark(self, name):
        self.marks[name] = self.ms()


def fetch_value(i):
    """A 100-byte value for the fetch-size scenario: the index, padded."""
    return ("%012d" % i).encode().ljust(100, b"x")


class FetchCheck:
    """Checks the fetch-size scenario's records: each index once, offsets dense per partition."""

    def __init__(self, count, partitions):
        self.count = count
        self.partitions = partitions
        self.seen = bytearray(count)
        self.duplicates = 0
        self.bad = 0
        self.next_offset = [0] * partitions
        self.gaps = 0
        self.n = 0

    def add(self, partition, offset, value):
        self.n += 1
        if offset != self.next_offset[partition]:
            self.gaps += 1
        self.next_offset[partition] = offset + 1
        try:
            i = int(value[:12])
        except ValueError:
            self.bad += 1
            return
        if i < 0 or i >= self.count or value != fetch_value(i) or i % self.partitions != partition:
            self.bad += 1
        elif self.seen[i]:
            self.duplicates += 1
        else:
            self.seen[i] = 1

    def result(self):
        return {"records": self.n, "unique": sum(self.seen), "duplicates": self.duplicates, "bad": self.bad,
                "gaps": self.gaps, "per_partition": self.next_offset}


_T0 = time.monotonic()


def log(*parts):
    """A progress line on stderr (the test shows stderr when a driver fails or hangs)."""
    sys.stderr.write("[%7.3f] %s\n" % (time.monotonic() - _T0, " ".join(str(p) for p in parts)))
    sys.stderr.flush()
