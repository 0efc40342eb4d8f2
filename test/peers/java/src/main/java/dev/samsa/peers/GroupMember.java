package dev.samsa.peers;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * One consumer-group member for test/peers/groups-cluster.test.ts, with Kafka's Java consumer:
 *
 * <pre>java -cp … dev.samsa.peers.GroupMember BOOTSTRAP TOPIC GROUP classic|consumer EXPECT TIMEOUT_MS</pre>
 *
 * Joins the group with the given group.protocol (the client's defaults otherwise, but
 * auto.offset.reset=earliest, so a group without commits reads from the start, and no auto-commit,
 * so the commits are the ones below), reads until it has EXPECT records, commits synchronously the
 * offset after the last record it read of each partition, closes (leaving the group) and prints one
 * JSON line: {"lib", "version", "count", "partitions": {p: {"first", "last", "count"}},
 * "committed": {p: offset}, "commit_errors": [...], "errors": [], "ms"}.
 */
public final class GroupMember {
  private GroupMember() {}

  public static void main(String[] args) {
    String bootstrap = args[0];
    String topic = args[1];
    String group = args[2];
    String protocol = args[3];
    int expect = Integer.parseInt(args[4]);
    long timeoutMs = Long.parseLong(args[5]);
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
    p.put(ConsumerConfig.GROUP_PROTOCOL_CONFIG, protocol);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    p.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    p.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    long start = System.currentTimeMillis();
    Map<String, Map<String, Object>> parts = new TreeMap<>();
    Map<TopicPartition, OffsetAndMetadata> next = new LinkedHashMap<>();
    List<Object> commitErrors = new ArrayList<>();
    int count = 0;
    try (KafkaConsumer<String, String> c = new KafkaConsumer<>(p)) {
      c.subscribe(List.of(topic));
      while (count < expect && System.currentTimeMillis() - start < timeoutMs) {
        for (ConsumerRecord<String, String> r : c.poll(Duration.ofMillis(500))) {
          count++;
          Map<String, Object> s = parts.computeIfAbsent(String.valueOf(r.partition()), k -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("first", r.offset());
            m.put("last", r.offset());
            m.put("count", 0);
            return m;
          });
          s.put("first", Math.min((Long) s.get("first"), r.offset()));
          s.put("last", Math.max((Long) s.get("last"), r.offset()));
          s.put("count", (Integer) s.get("count") + 1);
          next.put(new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
        }
      }
      if (!next.isEmpty()) {
        try {
          c.commitSync(next);
        } catch (RuntimeException e) {
          commitErrors.add(Map.of("partition", -1, "code", -1, "name", JavaClientScenarios.describe(e)));
        }
      }
    }
    Map<String, Object> committed = new TreeMap<>();
    next.forEach((tp, o) -> committed.put(String.valueOf(tp.partition()), o.offset()));
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("lib", "java");
    out.put("version", AppInfoParser.getVersion());
    out.put("count", count);
    out.put("partitions", parts);
    out.put("committed", committed);
    out.put("commit_errors", commitErrors);
    out.put("errors", List.of());
    out.put("ms", System.currentTimeMillis() - start);
    System.out.println(Json.write(out));
  }
}
