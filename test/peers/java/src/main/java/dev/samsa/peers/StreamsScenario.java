package dev.samsa.peers;

import static dev.samsa.peers.Ctx.check;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.serialization.LongDeserializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.Grouped;
import org.apache.kafka.streams.kstream.Materialized;
import org.apache.kafka.streams.kstream.Produced;

/**
 * Kafka Streams word count, end to end: 100,000 lines in, the count of every word out, with
 * the defaults (processing.guarantee at_least_once, commit.interval.ms 30000, the classic group
 * protocol). The groupBy makes a repartition topic and the count a changelog topic, both created
 * by Streams through CreateTopics; the final counts are read from the output topic (the latest
 * value per key) and must be exactly right.
 */
final class StreamsScenario {
  private StreamsScenario() {}

  static final int LINES = 100_000;
  static final int VOCABULARY = 1000;

  static void register() {
    // Background: with the default commit interval (30 s) the counts come out on a commit, so the
    // scenario mostly waits; the others run meanwhile.
    JavaClientScenarios.register("streams-word-count", 360_000, true, StreamsScenario::wordCount);
  }

  /** Line i: 1 to 3 words of the vocabulary. */
  static String line(int i) {
    int n = i % 3 + 1;
    StringBuilder sb = new StringBuilder();
    for (int j = 0; j < n; j++) {
      if (j > 0) sb.append(' ');
      sb.append('w').append(Math.floorMod(i * 31 + j * 7919 + (i / 7) * 13, VOCABULARY));
    }
    return sb.toString();
  }

  static void deleteTree(java.nio.file.Path dir) throws java.io.IOException {
    if (!java.nio.file.Files.exists(dir)) return;
    try (var paths = java.nio.file.Files.walk(dir)) {
      for (java.nio.file.Path p : paths.sorted(java.util.Comparator.reverseOrder()).toList())
        java.nio.file.Files.deleteIfExists(p);
    }
  }

  static void wordCount(Ctx c) throws Exception {
    String in = c.createTopic("wc-in", 2);
    String out = c.createTopic("wc-out", 2);
    Map<String, Long> expected = new HashMap<>();
    long words = 0;
    for (int i = 0; i < LINES; i++)
      for (String w : line(i).split(" ")) {
        expected.merge(w, 1L, Long::sum);
        words++;
      }
    c.detail.put("lines", LINES);
    c.detail.put("words", words);
    c.detail.put("distinctWords", expected.size());
    long t0 = System.currentTimeMillis();
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      for (int i = 0; i < LINES; i++) p.send(new ProducerRecord<>(in, "line-" + i, line(i)));
      p.flush();
    }
    c.detail.put("msToProduce", System.currentTimeMillis() - t0);

    String appId = c.topic("wordcount");
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, appId);
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, c.bootstrap);
    StreamsBuilder builder = new StreamsBuilder();
    builder.stream(in, Consumed.with(Serdes.String(), Serdes.String()))
        .flatMapValues(v -> Arrays.asList(v.split(" ")))
        .groupBy((k, w) -> w, Grouped.with(Serdes.String(), Serdes.String()))
        .count(Materialized.as("counts"))
        .toStream()
        .to(out, Produced.with(Serdes.String(), Serdes.Long()));
    AtomicReference<Throwable> failure = new AtomicReference<>();
    List<String> states = java.util.Collections.synchronizedList(new ArrayList<>());
    KafkaStreams streams = new KafkaStreams(builder.build(), props);
    streams.setUncaughtExceptionHandler(e -> {
      failure.compareAndSet(null, e);
      return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
    });
    streams.setStateListener((now, before) -> states.add(now.toString()));
    Map<String, Long> latest = new HashMap<>();
    long outputRecords = 0;
    List<String> over = new ArrayList<>();
    try {
      long t1 = System.currentTimeMillis();
      streams.start();
      Ctx.waitUntil("Kafka Streams RUNNING", 90_000, () -> {
        if (failure.get() != null) throw new Ctx.Failure("Kafka Streams failed: " + JavaClientScenarios.describe(failure.get()));
        return streams.state() == KafkaStreams.State.RUNNING;
      });
      c.detail.put("msToRunning", System.currentTimeMillis() - t1);
      Properties cp = c.consumerProps(null);
      cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, LongDeserializer.class.getName());
      cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
      try (KafkaConsumer<String, Long> k = new KafkaConsumer<>(cp)) {
        List<TopicPartition> tps = List.of(new TopicPartition(out, 0), new TopicPartition(out, 1));
        k.assign(tps);
        k.seekToBeginning(tps);
        long deadline = System.currentTimeMillis() + 240_000;
        while (!latest.equals(expected)) {
          if (failure.get() != null) throw new Ctx.Failure("Kafka Streams failed: " + JavaClientScenarios.describe(failure.get()));
          check(streams.state().isRunningOrRebalancing(), "Kafka Streams is %s", streams.state());
          if (System.currentTimeMillis() > deadline) {
            int wrong = 0;
            List<String> sample = new ArrayList<>();
            for (var e : expected.entrySet())
              if (!e.getValue().equals(latest.get(e.getKey()))) {
                wrong++;
                if (sample.size() < 5) sample.add(e.getKey() + ": " + latest.get(e.getKey()) + " for " + e.getValue());
              }
            throw new Ctx.Failure(wrong + " of " + expected.size() + " counts wrong after 240 s (e.g. " + sample + ")");
          }
          for (ConsumerRecord<String, Long> r : k.poll(Duration.ofMillis(200))) {
            outputRecords++;
            latest.put(r.key(), r.value());
            Long want = expected.get(r.key());
            if ((want == null || r.value() > want) && over.size() < 5) over.add(r.key() + "=" + r.value());
          }
        }
      }
      c.detail.put("msToCounts", System.currentTimeMillis() - t1);
      c.detail.put("outputRecords", outputRecords);
      check(over.isEmpty(), "counts above the expected ones (or unknown words) came out: %s", over);
    } finally {
      boolean closed = streams.close(Duration.ofSeconds(30));
      c.detail.put("states", new ArrayList<>(states));
      if (closed) {
        // Its local state: the stores (cleanUp), then the application's directory under state.dir.
        streams.cleanUp();
        deleteTree(java.nio.file.Path.of(new StreamsConfig(props).getString(StreamsConfig.STATE_DIR_CONFIG), appId));
      } else {
        c.detail.put("close", "not closed within 30 s");
      }
      if (failure.get() != null) c.detail.put("streamsFailure", JavaClientScenarios.describe(failure.get()));
    }
    check(c.detail.get("close") == null, "Kafka Streams did not close within 30 s%s",
        failure.get() == null ? "" : ": " + JavaClientScenarios.describe(failure.get()));

    // The internal topics Streams created, and their configs.
    Map<String, Object> internal = new TreeMap<>();
    for (String t : c.admin.listTopics().names().get()) {
      if (!t.startsWith(appId + "-")) continue;
      String kind = t.substring(appId.length() + 1);
      TopicDescription d = c.admin.describeTopics(List.of(t)).allTopicNames().get().get(t);
      ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, t);
      Config cfg = c.admin.describeConfigs(List.of(res)).all().get().get(res);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("partitions", d.partitions().size());
      for (String n : List.of("cleanup.policy", "retention.ms", "segment.bytes", "message.timestamp.type"))
        m.put(n, cfg.get(n) == null ? null : cfg.get(n).value() + " (" + cfg.get(n).source() + ")");
      internal.put(kind, m);
      if (kind.endsWith("-repartition")) {
        // Streams deletes what it has consumed of a repartition topic (DeleteRecords after a commit).
        Map<TopicPartition, OffsetSpec> q = new HashMap<>();
        for (int p = 0; p < d.partitions().size(); p++) q.put(new TopicPartition(t, p), OffsetSpec.earliest());
        Map<TopicPartition, ListOffsetsResultInfo> earliest = c.admin.listOffsets(q).all().get();
        List<Long> e = new ArrayList<>();
        for (int p = 0; p < d.partitions().size(); p++) e.add(earliest.get(new TopicPartition(t, p)).offset());
        c.detail.put("repartitionEarliestOffsets", e);
      }
    }
    c.detail.put("internalTopics", internal);
    check(internal.containsKey("counts-changelog"), "no changelog topic among %s", internal.keySet());
    check(internal.keySet().stream().anyMatch(k -> k.endsWith("-repartition")), "no repartition topic among %s",
        internal.keySet());
    c.compare.put("internalTopics", internal);
    c.compare.put("countsRight", true);
  }
}
