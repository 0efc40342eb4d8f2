package dev.samsa.peers;

import static dev.samsa.peers.Ctx.check;
import static dev.samsa.peers.Ctx.checkEqual;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.errors.RecordTooLargeException;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.internals.RecordHeader;

/** The producer: acks 0, 1 and all; idempotence (the default); every codec; headers; records at the size limit. */
final class ProducerScenarios {
  private ProducerScenarios() {}

  static void register() {
    for (String acks : List.of("0", "1", "all")) JavaClientScenarios.register("producer-acks-" + acks, c -> acks(c, acks));
    JavaClientScenarios.register("producer-acks-all-replicated", ProducerScenarios::replicated);
    JavaClientScenarios.register("producer-idempotent", ProducerScenarios::idempotent);
    for (String codec : List.of("none", "gzip", "snappy", "lz4", "zstd"))
      JavaClientScenarios.register("producer-codec-" + codec, c -> codec(c, codec));
    JavaClientScenarios.register("producer-headers", ProducerScenarios::headers);
    JavaClientScenarios.register("producer-large-records", ProducerScenarios::largeRecords);
  }

  /** Sends records 0..n-1 of the data set, record i to partition i % partitions; returns each one's metadata. */
  static List<RecordMetadata> sendDataSet(KafkaProducer<String, String> p, String topic, int n, int partitions)
      throws Exception {
    List<Future<RecordMetadata>> fs = new ArrayList<>();
    for (int i = 0; i < n; i++)
      fs.add(p.send(new ProducerRecord<>(topic, i % partitions, Ctx.keyOf(i), Ctx.valueOf(i))));
    p.flush();
    List<RecordMetadata> out = new ArrayList<>();
    for (Future<RecordMetadata> f : fs) out.add(f.get());
    return out;
  }

  /** Fails unless the records read are the data set's 0..n-1, record i at offset i / partitions of partition i % partitions. */
  static void checkDataSet(List<ConsumerRecord<String, String>> records, int n, int partitions) {
    checkEqual(n, records.size(), "records read");
    Ctx.checkContiguous(records, partitions);
    for (ConsumerRecord<String, String> r : records) {
      int i = (int) r.offset() * partitions + r.partition();
      checkEqual(Ctx.keyOf(i), r.key(), "key at " + r.partition() + "/" + r.offset());
      checkEqual(Ctx.valueOf(i), r.value(), "value at " + r.partition() + "/" + r.offset());
    }
  }

  /** Active idempotent producers the partition leaders know, per partition. */
  static List<List<ProducerState>> producerStates(Ctx c, String topic, int partitions) throws Exception {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
    var res = c.time("describeProducers", () -> c.admin.describeProducers(tps).all().get());
    List<List<ProducerState>> out = new ArrayList<>();
    for (TopicPartition tp : tps) out.add(res.get(tp).activeProducers());
    return out;
  }

  static void acks(Ctx c, String acks) throws Exception {
    int n = 300;
    int partitions = 3;
    String topic = c.createTopic("acks-" + acks, partitions);
    Properties props = c.producerProps();
    // Setting acks to 0 or 1 without setting enable.idempotence turns idempotence off (the 4.x
    // client's rule); with acks=all (the default) it stays on.
    props.put(ProducerConfig.ACKS_CONFIG, acks);
    List<RecordMetadata> md;
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      md = sendDataSet(p, topic, n, partitions);
    }
    // What the producer was told: acks=0 gets no answer, so no offset (-1); otherwise each record's offset.
    boolean offsetsAsSent = true;
    boolean allUnknown = true;
    for (int i = 0; i < n; i++) {
      if (md.get(i).offset() != i / partitions) offsetsAsSent = false;
      if (md.get(i).offset() != -1) allUnknown = false;
    }
    if (acks.equals("0")) check(allUnknown, "acks=0: the producer reported offsets (%d for record 0)", md.get(0).offset());
    else check(offsetsAsSent, "acks=%s: reported offsets differ from i / partitions (record 0: %d)", acks, md.get(0).offset());
    List<ConsumerRecord<String, String>> records = c.readAll(topic, partitions, n, 30_000);
    checkDataSet(records, n, partitions);
    Map<String, Object> summary = Ctx.summary(records, partitions);
    c.detail.put("summary", summary);
    List<Integer> states = new ArrayList<>();
    for (List<ProducerState> s : producerStates(c, topic, partitions)) states.add(s.size());
    c.compare.put("reportedOffsets", acks.equals("0") ? "none (-1)" : "as written");
    c.compare.put("summary", summary);
    c.compare.put("idempotentProducersPerPartition", states);
  }

  /**
   * acks=all to a topic with a replica on every broker (up to 3): every replica in sync, and each
   * holds the same bytes (followers copy the leader's batches).
   */
  static void replicated(Ctx c) throws Exception {
    int n = 200;
    int partitions = 2;
    short rf = (short) Math.min(3, c.brokers);
    String topic = c.topic("replicated");
    c.time("createTopics", () -> c.admin.createTopics(List.of(new org.apache.kafka.clients.admin.NewTopic(topic,
        partitions, rf))).all().get());
    c.awaitTopic(topic, partitions);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      sendDataSet(p, topic, n, partitions);
    }
    List<ConsumerRecord<String, String>> records = c.readAll(topic, partitions, n, 30_000);
    checkDataSet(records, n, partitions);
    Map<String, Object> replicas = new LinkedHashMap<>();
    Ctx.waitUntil("every replica in sync and of the same size", 30_000, () -> {
      var d = c.admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic);
      var dirs = c.time("describeLogDirs", () -> c.admin.describeLogDirs(c.brokerIds).allDescriptions().get());
      boolean ok = true;
      for (var p : d.partitions()) {
        TopicPartition tp = new TopicPartition(topic, p.partition());
        List<Long> sizes = new ArrayList<>();
        for (Map<String, LogDirDescription> byDir : dirs.values())
          for (LogDirDescription ld : byDir.values()) {
            ReplicaInfo ri = ld.replicaInfos().get(tp);
            if (ri != null) sizes.add(ri.size());
          }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("replicas", p.replicas().size());
        m.put("isr", p.isr().size());
        m.put("replicasInLogDirs", sizes.size());
        m.put("sameSize", sizes.stream().distinct().count() == 1);
        replicas.put(String.valueOf(p.partition()), m);
        if (p.isr().size() != rf || sizes.size() != rf || sizes.stream().distinct().count() != 1) ok = false;
      }
      return ok;
    });
    c.detail.put("replicationFactor", (int) rf);
    c.compare.put("replicas", replicas);
    c.compare.put("summary", Ctx.summary(records, partitions));
  }

  static void idempotent(Ctx c) throws Exception {
    int n = 200;
    int partitions = 2;
    String topic = c.createTopic("idempotent", partitions);
    Properties props = c.producerProps();
    ProducerConfig cfg = new ProducerConfig(props);
    checkEqual(true, cfg.getBoolean(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG), "enable.idempotence default");
    checkEqual("-1", cfg.getString(ProducerConfig.ACKS_CONFIG), "acks default (all)");
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      sendDataSet(p, topic, n, partitions);
    }
    checkDataSet(c.readAll(topic, partitions, n, 30_000), n, partitions);
    // The broker saw an idempotent producer: one producer id per partition, sequences 0..n/partitions-1.
    List<List<ProducerState>> states = producerStates(c, topic, partitions);
    List<Map<String, Object>> seen = new ArrayList<>();
    Long pid = null;
    for (int p = 0; p < partitions; p++) {
      List<ProducerState> s = states.get(p);
      checkEqual(1, s.size(), "active producers on partition " + p);
      ProducerState st = s.get(0);
      check(st.producerId() >= 0, "partition %d: producer id %d", p, st.producerId());
      if (pid == null) pid = st.producerId();
      checkEqual(pid, st.producerId(), "the same producer id on every partition");
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("partition", p);
      m.put("producerEpoch", st.producerEpoch());
      m.put("lastSequence", st.lastSequence());
      m.put("currentTransactionStartOffset", st.currentTransactionStartOffset().isPresent() ? "present" : "empty");
      seen.add(m);
      checkEqual(n / partitions - 1, st.lastSequence(), "last sequence on partition " + p);
    }
    c.detail.put("producerId", pid);
    c.compare.put("producerStates", seen);
  }

  static void codec(Ctx c, String codec) throws Exception {
    int n = 1000;
    String topic = c.createTopic("codec-" + codec, 1);
    Properties props = c.producerProps();
    props.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, codec); // the scenario: compression.type is what it tests
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      sendDataSet(p, topic, n, 1);
    }
    List<ConsumerRecord<String, String>> records = c.readAll(topic, 1, n, 30_000);
    checkDataSet(records, n, 1);
    Map<String, Object> summary = Ctx.summary(records, 1);
    c.detail.put("summary", summary);
    c.compare.put("summary", summary);
    long raw = 0;
    for (int i = 0; i < n; i++) raw += Ctx.keyOf(i).length() + Ctx.valueOf(i).length();
    long size = logSize(c, topic);
    c.detail.put("payloadBytes", raw);
    c.detail.put("logBytes", size);
    // The broker keeps the producer's codec (compression.type=producer): compressed batches take less than the payload.
    if (codec.equals("none")) check(size > raw, "log size %d <= payload %d with codec none", size, raw);
    else check(size < raw, "log size %d >= payload %d with %s: the batches were not stored compressed", size, raw, codec);
    c.compare.put("storedCompressed", size < raw);
  }

  /** The bytes all replicas of partition 0 of `topic` take on the leader, from DescribeLogDirs. */
  static long logSize(Ctx c, String topic) throws Exception {
    var dirs = c.time("describeLogDirs", () -> c.admin.describeLogDirs(c.brokerIds).allDescriptions().get());
    long size = -1;
    TopicPartition tp = new TopicPartition(topic, 0);
    for (Map<String, LogDirDescription> byDir : dirs.values())
      for (LogDirDescription d : byDir.values()) {
        ReplicaInfo ri = d.replicaInfos().get(tp);
        if (ri != null) size = Math.max(size, ri.size());
      }
    check(size >= 0, "DescribeLogDirs lists no replica of %s", tp);
    return size;
  }

  static void headers(Ctx c) throws Exception {
    String topic = c.createTopic("headers", 1);
    List<List<Header>> sent = new ArrayList<>();
    sent.add(List.of());
    sent.add(List.of(new RecordHeader("h", b("1")), new RecordHeader("h", b("2"))));
    sent.add(List.of(new RecordHeader("empty", new byte[0]), new RecordHeader("null", (byte[]) null)));
    sent.add(List.of(new RecordHeader("ключ", b("значение ✓"))));
    List<Header> many = new ArrayList<>();
    for (int i = 0; i < 20; i++) many.add(new RecordHeader("n" + i, new byte[] {(byte) i, (byte) 0xff}));
    sent.add(many);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      List<Future<RecordMetadata>> fs = new ArrayList<>();
      for (int i = 0; i < sent.size(); i++) {
        // Record 3 is a tombstone (no key, no value) that still carries a header.
        String key = i == 3 ? null : "k" + i;
        String value = i == 3 ? null : "v" + i;
        fs.add(p.send(new ProducerRecord<>(topic, 0, key, value, sent.get(i))));
      }
      for (Future<RecordMetadata> f : fs) f.get();
    }
    List<ConsumerRecord<String, String>> got = c.readAll(topic, 1, sent.size(), 30_000);
    List<Object> read = new ArrayList<>();
    for (int i = 0; i < sent.size(); i++) {
      ConsumerRecord<String, String> r = got.get(i);
      List<List<String>> want = render(sent.get(i));
      List<List<String>> have = render(List.of(r.headers().toArray()));
      checkEqual(want, have, "headers of record " + i);
      checkEqual(i == 3 ? null : "k" + i, r.key(), "key of record " + i);
      checkEqual(i == 3 ? null : "v" + i, r.value(), "value of record " + i);
      read.add(have);
    }
    c.compare.put("headers", read);
  }

  private static byte[] b(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  /** Headers as [key, value in hex or null]. */
  private static List<List<String>> render(List<Header> hs) {
    List<List<String>> out = new ArrayList<>();
    for (Header h : hs) {
      List<String> e = new ArrayList<>();
      e.add(h.key());
      e.add(h.value() == null ? null : HexFormat.of().formatHex(h.value()));
      out.add(e);
    }
    return out;
  }

  /** Bytes of a zigzag varint, as the record format writes lengths. */
  private static int varintSize(int v) {
    int zz = (v << 1) ^ (v >> 31);
    int n = 1;
    while ((zz & 0xffffff80) != 0) {
      zz >>>= 7;
      n++;
    }
    return n;
  }

  /**
   * The value size that makes a record batch of exactly `batchBytes`: one record without key
   * and headers, offset and timestamp deltas 0, no compression; the batch header is 61 bytes.
   */
  static int valueSizeForBatch(int batchBytes) {
    for (int v = batchBytes - 61; v > 0; v--) {
      int body = 1 + 1 + 1 + varintSize(-1) + varintSize(v) + v + varintSize(0);
      if (61 + varintSize(body) + body == batchBytes) return v;
      if (61 + varintSize(body) + body < batchBytes) break;
    }
    throw new IllegalStateException("no value size gives a batch of " + batchBytes + " bytes");
  }

  static void largeRecords(Ctx c) throws Exception {
    String topic = c.createTopic("large", 1);
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    ConfigEntry maxBytes = c.timeSettled("describeConfigs", () -> c.admin.describeConfigs(List.of(res)).all().get())
        .get(res).get("max.message.bytes");
    check(maxBytes != null, "DescribeConfigs has no max.message.bytes for the topic");
    int limit = Integer.parseInt(maxBytes.value());
    checkEqual(1048588, limit, "the topic's max.message.bytes (Kafka's default)");
    String atLimit = "x".repeat(valueSizeForBatch(limit));
    String overLimit = "y".repeat(valueSizeForBatch(limit + 1));
    Map<String, Object> outcome = new LinkedHashMap<>();

    // With the producer's own default max.request.size (1048576) a batch of the broker's limit
    // (1048588) never leaves the client: it fails before sending.
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      try {
        p.send(new ProducerRecord<>(topic, 0, null, atLimit)).get();
        throw new Ctx.Failure("a record of " + limit + " bytes passed the default max.request.size (1048576)");
      } catch (ExecutionException e) {
        check(e.getCause() instanceof RecordTooLargeException, "default producer: %s", JavaClientScenarios.describe(e));
        outcome.put("defaultProducer", e.getCause().getClass().getSimpleName());
      }
    }

    // A finding about defaults: to reach the broker's limit the producer's max.request.size must
    // be raised above it; the broker then decides, one record per batch.
    Properties props = c.producerProps();
    props.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      RecordMetadata ok = p.send(new ProducerRecord<>(topic, 0, null, atLimit)).get();
      checkEqual(0L, ok.offset(), "offset of the batch of exactly max.message.bytes");
      outcome.put("atLimit", "accepted");
      try {
        p.send(new ProducerRecord<>(topic, 0, null, overLimit)).get();
        throw new Ctx.Failure("a batch of " + (limit + 1) + " bytes was accepted (max.message.bytes " + limit + ")");
      } catch (ExecutionException e) {
        c.detail.put("overLimitError", JavaClientScenarios.describe(e));
        check(e.getCause() instanceof RecordTooLargeException, "over the limit: %s", JavaClientScenarios.describe(e));
        outcome.put("overLimit", e.getCause().getClass().getSimpleName());
      }
      // The producer goes on after the rejected batch.
      RecordMetadata after = p.send(new ProducerRecord<>(topic, 0, "after", "small")).get();
      checkEqual(1L, after.offset(), "offset of the record sent after the rejected one");
      outcome.put("after", "accepted");
    }
    List<ConsumerRecord<String, String>> got = c.readAll(topic, 1, 2, 30_000);
    checkEqual(atLimit.length(), got.get(0).value().length(), "length of the large value read back");
    check(got.get(0).value().equals(atLimit), "the large value read back differs");
    checkEqual("small", got.get(1).value(), "the record after");
    c.detail.put("valueBytesAtLimit", atLimit.length());
    c.compare.put("outcome", outcome);
  }
}
