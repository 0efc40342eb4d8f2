package dev.samsa.peers;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * What one scenario works with: the target's address, the Admin client shared by the run, and
 * the scenario's result so far (its detail, the values to compare across targets, the time of
 * each Admin call).
 */
final class Ctx {
  /** A check of the scenario failed: the message says what was expected and what came. */
  static final class Failure extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Failure(String message) {
      super(message);
    }
  }

  final String bootstrap;
  final int brokers;
  final List<Integer> brokerIds;
  final Admin admin;
  final String name;
  /** Shown with the result; what a reader needs to see what happened. */
  final Map<String, Object> detail = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  /** The outcomes that must be the same on Kafka and on Samsa (java-client.test.ts compares them). */
  final Map<String, Object> compare = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
  /** Each Admin call: {call, ms}. */
  final List<Map<String, Object>> timings = java.util.Collections.synchronizedList(new ArrayList<>());

  Ctx(String bootstrap, List<Integer> brokerIds, Admin admin, String name) {
    this.bootstrap = bootstrap;
    this.brokerIds = brokerIds;
    this.brokers = brokerIds.size();
    this.admin = admin;
    this.name = name;
  }

  static void check(boolean ok, String message, Object... args) {
    if (!ok) throw new Failure(String.format(message, args));
  }

  static void checkEqual(Object expected, Object actual, String what) {
    if (!java.util.Objects.equals(expected, actual))
      throw new Failure(what + ": expected " + Json.write(expected) + ", got " + Json.write(actual));
  }

  /** Runs one Admin call (or any call to time), records how long it took, and returns its result. */
  <T> T time(String call, Callable<T> fn) throws Exception {
    long t0 = System.nanoTime();
    try {
      return fn.call();
    } finally {
      long us = (System.nanoTime() - t0) / 1000;
      Map<String, Object> t = new LinkedHashMap<>();
      t.put("call", call);
      t.put("ms", us / 1000.0);
      timings.add(t);
    }
  }

  /** Polls `fn` until it is true; fails with `what` when `ms` pass first. */
  static void waitUntil(String what, long ms, Callable<Boolean> fn) throws Exception {
    long deadline = System.currentTimeMillis() + ms;
    Exception last = null;
    for (;;) {
      try {
        if (Boolean.TRUE.equals(fn.call())) return;
        last = null;
      } catch (Exception e) {
        last = e;
      }
      if (System.currentTimeMillis() > deadline)
        throw new Failure(what + ": not reached within " + ms + " ms" + (last != null ? "; last error: " + JavaClientScenarios.describe(last) : ""));
      Thread.sleep(50);
    }
  }

  String topic(String prefix) {
    return "java-" + prefix + "-" + Long.toString(System.currentTimeMillis(), 36) + "-"
        + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000000));
  }

  /** Creates a topic with the broker's default replication factor and waits for its leaders. */
  String createTopic(String prefix, int partitions) throws Exception {
    return createTopic(prefix, partitions, Map.of());
  }

  String createTopic(String prefix, int partitions, Map<String, String> configs) throws Exception {
    String t = topic(prefix);
    NewTopic nt = new NewTopic(t, java.util.Optional.of(partitions), java.util.Optional.empty()).configs(configs);
    time("createTopics", () -> admin.createTopics(List.of(nt)).all().get());
    awaitTopic(t, partitions);
    return t;
  }

  /**
   * Waits until the Admin client describes the topic with a leader for each partition. CreateTopics
   * answers once the controller has the topic; the brokers learn it a moment later (on Kafka
   * too), and a request that reaches one of them first gets UNKNOWN_TOPIC_OR_PARTITION.
   */
  void awaitTopic(String t, int partitions) throws Exception {
    waitUntil("topic " + t + " described with " + partitions + " partitions and their leaders", 30_000, () -> {
      var d = admin.describeTopics(List.of(t)).allTopicNames().get().get(t);
      return d.partitions().size() == partitions
          && d.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty());
    });
  }

  /**
   * A call about a topic just created or changed: retried while it fails with
   * UNKNOWN_TOPIC_OR_PARTITION for up to 10 s (the broker that answers may not know the topic
   * yet; see awaitTopic), and timed like `time`. Any other error, or that one after 10 s, is thrown.
   */
  <T> T timeSettled(String call, Callable<T> fn) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    for (;;) {
      try {
        return time(call, fn);
      } catch (Exception e) {
        boolean unknown = JavaClientScenarios.root(e) instanceof org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
        if (!unknown || System.currentTimeMillis() > deadline) throw e;
        Thread.sleep(50);
      }
    }
  }

  // ---- clients with their defaults ------------------------------------------------------------

  Properties producerProps() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, StringSerializer.class.getName());
    return p;
  }

  /** A consumer's configs: no group (assign only) when groupId is null. */
  Properties consumerProps(String groupId) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    if (groupId != null) p.put(ConsumerConfig.GROUP_ID_CONFIG, groupId);
    return p;
  }

  /**
   * Reads partitions 0..partitions-1 of a topic from the beginning with a consumer without a
   * group, until `count` records came (or `ms` passed, then fails), and returns them in
   * partition, then offset order.
   */
  List<ConsumerRecord<String, String>> readAll(String topic, int partitions, int count, long ms) throws Exception {
    List<TopicPartition> tps = new ArrayList<>();
    for (int p = 0; p < partitions; p++) tps.add(new TopicPartition(topic, p));
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(consumerProps(null))) {
      c.assign(tps);
      c.seekToBeginning(tps);
      long deadline = System.currentTimeMillis() + ms;
      while (out.size() < count) {
        if (System.currentTimeMillis() > deadline)
          throw new Failure("read " + out.size() + " of " + count + " records of " + topic + " in " + ms + " ms");
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(200))) out.add(r);
      }
    }
    out.sort((a, b) -> a.partition() != b.partition() ? Integer.compare(a.partition(), b.partition())
        : Long.compare(a.offset(), b.offset()));
    return out;
  }

  // ---- the shared data set (test/helpers/clients.ts: keyOf, valueOf, partitionOf, PartitionDigest) --

  static String keyOf(int i) {
    return "key-" + i;
  }

  static String valueOf(int i) {
    String h = Integer.toHexString(i * (int) 2654435761L);
    return "value-" + i + "-" + h + "-" + String.valueOf("abcdefghij".charAt(i % 10)).repeat(i % 64);
  }

  /**
   * Per partition: {count, digest}, the digest a sha256 over (u32 key length, key, u32 value
   * length, value) of each record in offset order, as clients.ts's PartitionDigest.
   */
  static Map<String, Object> summary(List<ConsumerRecord<String, String>> records, int partitions) {
    MessageDigest[] d = new MessageDigest[partitions];
    int[] n = new int[partitions];
    try {
      for (int p = 0; p < partitions; p++) d[p] = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    for (ConsumerRecord<String, String> r : records) {
      byte[] k = r.key() == null ? new byte[0] : r.key().getBytes(StandardCharsets.UTF_8);
      byte[] v = r.value() == null ? new byte[0] : r.value().getBytes(StandardCharsets.UTF_8);
      d[r.partition()].update(ByteBuffer.allocate(4).putInt(k.length).array());
      d[r.partition()].update(k);
      d[r.partition()].update(ByteBuffer.allocate(4).putInt(v.length).array());
      d[r.partition()].update(v);
      n[r.partition()]++;
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (int p = 0; p < partitions; p++) {
      Map<String, Object> s = new LinkedHashMap<>();
      s.put("count", n[p]);
      s.put("digest", HexFormat.of().formatHex(d[p].digest()));
      out.put(String.valueOf(p), s);
    }
    return out;
  }

  /** Fails unless each partition's records have offsets 0, 1, 2, … (none lost, none twice). */
  static void checkContiguous(List<ConsumerRecord<String, String>> records, int partitions) {
    long[] next = new long[partitions];
    for (ConsumerRecord<String, String> r : records) {
      check(r.offset() == next[r.partition()], "partition %d: offset %d where %d was next", r.partition(), r.offset(),
          next[r.partition()]);
      next[r.partition()]++;
    }
  }
}
