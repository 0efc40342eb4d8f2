package dev.samsa.peers;

import static dev.samsa.peers.Ctx.check;
import static dev.samsa.peers.Ctx.checkEqual;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.consumer.OffsetAndTimestamp;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;

/** The consumer: groups with the classic protocol and KIP-848's, commit and resume, seeks, pause and resume. */
final class ConsumerScenarios {
  private ConsumerScenarios() {}

  static void register() {
    JavaClientScenarios.register("consumer-group-classic", c -> group(c, "classic"));
    JavaClientScenarios.register("consumer-group-consumer-protocol", c -> group(c, "consumer"));
    JavaClientScenarios.register("consumer-commit-resume-classic", c -> commitResume(c, "classic"));
    JavaClientScenarios.register("consumer-commit-resume-consumer-protocol", c -> commitResume(c, "consumer"));
    JavaClientScenarios.register("consumer-seek", ConsumerScenarios::seek);
    JavaClientScenarios.register("consumer-pause-resume", ConsumerScenarios::pauseResume);
  }

  /** The group's configs: the defaults, with group.protocol=consumer for KIP-848 (what the scenario tests). */
  static Properties groupProps(Ctx c, String group, String protocol) {
    Properties p = c.consumerProps(group);
    if (protocol.equals("consumer")) p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, "consumer");
    return p;
  }

  /** A group member polling on its own thread (a KafkaConsumer is used by one thread). */
  static final class Member implements Runnable {
    final String name;
    final KafkaConsumer<String, String> consumer;
    final String topic;
    final ConcurrentLinkedQueue<ConsumerRecord<String, String>> records = new ConcurrentLinkedQueue<>();
    /** Every distinct assignment the member had, in order. */
    final List<Set<TopicPartition>> history = new ArrayList<>();
    volatile Set<TopicPartition> assignment = Set.of();
    volatile boolean resolvePositions;
    volatile boolean positionsResolved;
    volatile boolean stop;
    volatile Throwable error;
    final Thread thread;

    Member(String name, Properties props, String topic) {
      this.name = name;
      this.consumer = new KafkaConsumer<>(props);
      this.topic = topic;
      this.thread = new Thread(this, name);
      this.thread.setDaemon(true);
      this.thread.start();
    }

    @Override
    public void run() {
      try {
        consumer.subscribe(List.of(topic));
        while (!stop) {
          for (ConsumerRecord<String, String> r : consumer.poll(Duration.ofMillis(100))) records.add(r);
          Set<TopicPartition> now = Set.copyOf(consumer.assignment());
          if (!now.equals(assignment)) {
            synchronized (history) {
              history.add(now);
            }
            assignment = now;
          }
          if (resolvePositions && !positionsResolved) {
            // auto.offset.reset is latest (the default): resolve the positions before records are produced.
            for (TopicPartition tp : now) consumer.position(tp);
            positionsResolved = true;
          }
        }
      } catch (Throwable t) {
        error = t;
      } finally {
        try {
          consumer.close();
        } catch (Throwable t) {
          if (error == null) error = t;
        }
      }
    }

    void stopAndJoin() throws InterruptedException {
      stop = true;
      thread.join(60_000);
      if (error != null) throw new Ctx.Failure(name + " failed: " + JavaClientScenarios.describe(error));
    }
  }

  static List<Integer> partitionsOf(Set<TopicPartition> tps) {
    List<Integer> out = new ArrayList<>();
    for (TopicPartition tp : tps) out.add(tp.partition());
    out.sort(null);
    return out;
  }

  static void group(Ctx c, String protocol) throws Exception {
    int partitions = 4;
    int n = 400;
    String topic = c.createTopic("group-" + protocol, partitions);
    String group = c.topic("group-" + protocol);
    Member a = new Member("member-a", groupProps(c, group, protocol), topic);
    Member b = new Member("member-b", groupProps(c, group, protocol), topic);
    try {
      long t0 = System.currentTimeMillis();
      Ctx.waitUntil("both members own partitions, together all " + partitions + " and none twice", 60_000, () -> {
        if (a.error != null || b.error != null) throw new Ctx.Failure("a member failed");
        Set<TopicPartition> sa = a.assignment;
        Set<TopicPartition> sb = b.assignment;
        Set<TopicPartition> all = new HashSet<>(sa);
        all.addAll(sb);
        return !sa.isEmpty() && !sb.isEmpty() && all.size() == partitions && all.size() == sa.size() + sb.size();
      });
      c.detail.put("msToAssignment", System.currentTimeMillis() - t0);
      a.resolvePositions = true;
      b.resolvePositions = true;
      Ctx.waitUntil("both members resolved their positions", 30_000, () -> a.positionsResolved && b.positionsResolved);
      Ctx.waitUntil("DescribeConsumerGroups shows the group Stable with 2 members", 30_000, () -> {
        ConsumerGroupDescription d = c.time("describeConsumerGroups",
            () -> c.admin.describeConsumerGroups(List.of(group)).all().get().get(group));
        c.detail.put("describe", Map.of("type", d.type().toString(), "state", d.groupState().toString(), "members",
            d.members().size()));
        return d.members().size() == 2 && d.groupState().toString().equals("Stable");
      });
      try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
        ProducerScenarios.sendDataSet(p, topic, n, partitions);
      }
      Ctx.waitUntil(n + " records consumed", 30_000, () -> a.records.size() + b.records.size() >= n);
    } finally {
      a.stop = true;
      b.stop = true;
      a.stopAndJoin();
      b.stopAndJoin();
    }
    List<ConsumerRecord<String, String>> all = new ArrayList<>(a.records);
    all.addAll(b.records);
    Set<String> seen = new HashSet<>();
    for (ConsumerRecord<String, String> r : all)
      check(seen.add(r.partition() + "/" + r.offset()), "record %d/%d consumed twice", r.partition(), r.offset());
    all.sort((x, y) -> x.partition() != y.partition() ? Integer.compare(x.partition(), y.partition())
        : Long.compare(x.offset(), y.offset()));
    ProducerScenarios.checkDataSet(all, n, partitions);
    for (Member m : List.of(a, b))
      for (ConsumerRecord<String, String> r : m.records)
        check(m.assignment.contains(new TopicPartition(r.topic(), r.partition())),
            "%s consumed partition %d it does not own", m.name, r.partition());
    c.detail.put("assignmentHistory", Map.of("member-a", histories(a), "member-b", histories(b)));
    c.detail.put("consumed", Map.of("member-a", a.records.size(), "member-b", b.records.size()));
    List<Integer> sizes = new ArrayList<>(List.of(a.assignment.size(), b.assignment.size()));
    sizes.sort(null);
    c.compare.put("partitionsPerMember", sizes);
    c.compare.put("describe", c.detail.get("describe"));
    c.compare.put("summary", Ctx.summary(all, partitions));
  }

  private static List<List<Integer>> histories(Member m) {
    List<List<Integer>> out = new ArrayList<>();
    synchronized (m.history) {
      for (Set<TopicPartition> s : m.history) out.add(partitionsOf(s));
    }
    return out;
  }

  /** Polls until `n` records came (fails after `ms`). */
  static List<ConsumerRecord<String, String>> pollN(KafkaConsumer<String, String> k, int n, long ms) {
    List<ConsumerRecord<String, String>> out = new ArrayList<>();
    long deadline = System.currentTimeMillis() + ms;
    while (out.size() < n) {
      check(System.currentTimeMillis() < deadline, "%d of %d records in %d ms", out.size(), n, ms);
      for (ConsumerRecord<String, String> r : k.poll(Duration.ofMillis(100))) out.add(r);
    }
    return out;
  }

  static Map<String, Object> committed(Ctx c, String group, TopicPartition tp) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> m = c.time("listConsumerGroupOffsets",
        () -> c.admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
    OffsetAndMetadata om = m.get(tp);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("offset", om == null ? null : om.offset());
    out.put("metadata", om == null ? null : om.metadata());
    return out;
  }

  static void commitResume(Ctx c, String protocol) throws Exception {
    String topic = c.createTopic("commit-" + protocol, 1);
    String group = c.topic("commit-" + protocol);
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      ProducerScenarios.sendDataSet(p, topic, 20, 1);
    }
    try (KafkaConsumer<String, String> k = new KafkaConsumer<>(groupProps(c, group, protocol))) {
      k.subscribe(List.of(topic));
      long deadline = System.currentTimeMillis() + 60_000;
      while (k.assignment().isEmpty()) {
        check(System.currentTimeMillis() < deadline, "no assignment in 60 s");
        check(k.poll(Duration.ofMillis(100)).isEmpty(), "records before seeking (auto.offset.reset is latest)");
      }
      k.seekToBeginning(k.assignment());
      List<ConsumerRecord<String, String>> got = pollN(k, 20, 30_000);
      checkEqual(0L, got.get(0).offset(), "first offset after seekToBeginning");
      k.commitSync(Map.of(tp, new OffsetAndMetadata(10, "resume-here")));
      // The consumer reads its commit back (OffsetFetch); polled, as Kafka under load has answered none at first.
      Ctx.waitUntil("the consumer reads back its commit of offset 10", 10_000, () -> {
        OffsetAndMetadata om = k.committed(Set.of(tp)).get(tp);
        return om != null && om.offset() == 10;
      });
      // Back to the commit, so that the auto-commit on close (enable.auto.commit is true) keeps 10.
      k.seek(tp, 10);
    }
    Map<String, Object> afterFirst = committed(c, group, tp);
    checkEqual(10L, afterFirst.get("offset"), "committed offset after the first consumer closed");
    List<ConsumerRecord<String, String>> resumed;
    try (KafkaConsumer<String, String> k = new KafkaConsumer<>(groupProps(c, group, protocol))) {
      k.subscribe(List.of(topic));
      resumed = pollN(k, 10, 60_000);
      checkEqual(10L, resumed.get(0).offset(), "where the second consumer resumed");
      for (int i = 0; i < 10; i++) {
        checkEqual(10L + i, resumed.get(i).offset(), "offset of record " + i + " after resuming");
        checkEqual(Ctx.valueOf(10 + i), resumed.get(i).value(), "value at offset " + (10 + i));
      }
    }
    check(resumed.size() == 10, "the second consumer read %d records, 10 expected", resumed.size());
    Map<String, Object> afterSecond = committed(c, group, tp);
    c.compare.put("committedAfterFirst", afterFirst);
    c.compare.put("resumedAt", resumed.get(0).offset());
    c.compare.put("committedAfterSecond", afterSecond);
    checkEqual(20L, afterSecond.get("offset"), "committed offset after the second consumer closed (auto-commit)");
  }

  static void seek(Ctx c) throws Exception {
    String topic = c.createTopic("seek", 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    long base = (System.currentTimeMillis() - 3_600_000) / 1000 * 1000;
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      for (int i = 0; i < 20; i++) p.send(new ProducerRecord<>(topic, 0, base + i * 1000L, Ctx.keyOf(i), Ctx.valueOf(i)));
      p.flush();
    }
    Map<String, Object> seen = new LinkedHashMap<>();
    try (KafkaConsumer<String, String> k = new KafkaConsumer<>(c.consumerProps(null))) {
      k.assign(List.of(tp));
      seen.put("beginning", k.beginningOffsets(List.of(tp)).get(tp));
      seen.put("end", k.endOffsets(List.of(tp)).get(tp));
      k.seek(tp, 7);
      ConsumerRecord<String, String> r = pollN(k, 1, 30_000).get(0);
      checkEqual(7L, r.offset(), "first offset after seek(7)");
      checkEqual(Ctx.keyOf(7), r.key(), "key after seek(7)");
      seen.put("afterSeek7", r.offset());
      OffsetAndTimestamp at = k.offsetsForTimes(Map.of(tp, base + 12_500)).get(tp);
      check(at != null, "offsetsForTimes(base + 12.5 s) is null");
      checkEqual(13L, at.offset(), "offsetsForTimes(base + 12.5 s): offset");
      checkEqual(base + 13_000, at.timestamp(), "offsetsForTimes(base + 12.5 s): timestamp");
      seen.put("forTime12500", List.of(at.offset(), at.timestamp() - base));
      k.seek(tp, at.offset());
      r = pollN(k, 1, 30_000).get(0);
      checkEqual(13L, r.offset(), "first offset after seeking to the time's offset");
      checkEqual(base + 13_000, r.timestamp(), "timestamp of that record");
      OffsetAndTimestamp first = k.offsetsForTimes(Map.of(tp, base - 10)).get(tp);
      seen.put("forTimeBeforeAll", first == null ? null : List.of(first.offset(), first.timestamp() - base));
      checkEqual(0L, first == null ? null : first.offset(), "offsetsForTimes before every record");
      OffsetAndTimestamp none = k.offsetsForTimes(Map.of(tp, base + 100_000)).get(tp);
      seen.put("forTimeAfterAll", none == null ? null : none.offset());
      check(none == null, "offsetsForTimes after every record gave %s", none);
      k.seekToEnd(List.of(tp));
      seen.put("positionAfterSeekToEnd", k.position(tp));
      k.seekToBeginning(List.of(tp));
      seen.put("positionAfterSeekToBeginning", k.position(tp));
    }
    checkEqual(0L, seen.get("beginning"), "beginningOffsets");
    checkEqual(20L, seen.get("end"), "endOffsets");
    checkEqual(20L, seen.get("positionAfterSeekToEnd"), "position after seekToEnd");
    checkEqual(0L, seen.get("positionAfterSeekToBeginning"), "position after seekToBeginning");
    c.compare.put("seen", seen);
  }

  static void pauseResume(Ctx c) throws Exception {
    String topic = c.createTopic("pause", 2);
    TopicPartition p0 = new TopicPartition(topic, 0);
    TopicPartition p1 = new TopicPartition(topic, 1);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      ProducerScenarios.sendDataSet(p, topic, 20, 2);
    }
    try (KafkaConsumer<String, String> k = new KafkaConsumer<>(c.consumerProps(null))) {
      k.assign(List.of(p0, p1));
      k.seekToBeginning(List.of(p0, p1));
      k.pause(List.of(p0));
      checkEqual(Set.of(p0), k.paused(), "paused()");
      List<ConsumerRecord<String, String>> got = pollN(k, 10, 30_000);
      // A few more polls: a paused partition must still give nothing.
      for (int i = 0; i < 5; i++) for (ConsumerRecord<String, String> r : k.poll(Duration.ofMillis(100))) got.add(r);
      Set<Integer> parts = new TreeSet<>();
      for (ConsumerRecord<String, String> r : got) parts.add(r.partition());
      checkEqual(Set.of(1), parts, "partitions that gave records while partition 0 was paused");
      checkEqual(10, got.size(), "records of partition 1");
      checkEqual(0L, k.position(p0), "position of the paused partition");
      k.resume(List.of(p0));
      checkEqual(Set.of(), k.paused(), "paused() after resume");
      List<ConsumerRecord<String, String>> after = pollN(k, 10, 30_000);
      for (int i = 0; i < 5 && after.size() < 11; i++)
        for (ConsumerRecord<String, String> r : k.poll(Duration.ofMillis(100))) after.add(r);
      checkEqual(10, after.size(), "records after resume");
      for (int i = 0; i < 10; i++) {
        checkEqual(0, after.get(i).partition(), "partition of record " + i + " after resume");
        checkEqual((long) i, after.get(i).offset(), "offset of record " + i + " after resume");
        checkEqual(Ctx.valueOf(2 * i), after.get(i).value(), "value at 0/" + i);
      }
      c.compare.put("whilePaused", Map.of("partitions", List.copyOf(parts), "records", got.size()));
      c.compare.put("afterResume", after.size());
    }
  }
}
