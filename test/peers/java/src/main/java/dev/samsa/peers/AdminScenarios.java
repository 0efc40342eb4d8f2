package dev.samsa.peers;

import static dev.samsa.peers.Ctx.check;
import static dev.samsa.peers.Ctx.checkEqual;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import org.apache.kafka.clients.admin.AlterConfigOp;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.admin.ConfigEntry;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.admin.CreateTopicsOptions;
import org.apache.kafka.clients.admin.CreateTopicsResult;
import org.apache.kafka.clients.admin.DescribeClusterResult;
import org.apache.kafka.clients.admin.DescribeConfigsOptions;
import org.apache.kafka.clients.admin.GroupListing;
import org.apache.kafka.clients.admin.ListOffsetsResult.ListOffsetsResultInfo;
import org.apache.kafka.clients.admin.LogDirDescription;
import org.apache.kafka.clients.admin.NewPartitionReassignment;
import org.apache.kafka.clients.admin.NewPartitions;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.admin.PartitionReassignment;
import org.apache.kafka.clients.admin.ProducerState;
import org.apache.kafka.clients.admin.RecordsToDelete;
import org.apache.kafka.clients.admin.ReplicaInfo;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.ElectionType;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.TopicPartitionInfo;
import org.apache.kafka.common.config.ConfigResource;

/** The Admin client: topics, configs, partitions, records, offsets, groups, the cluster, leaders, reassignments, log dirs, producers. */
final class AdminScenarios {
  private AdminScenarios() {}

  static void register() {
    JavaClientScenarios.register("admin-topics", AdminScenarios::topics);
    JavaClientScenarios.register("admin-configs-topic", AdminScenarios::topicConfigs);
    JavaClientScenarios.register("admin-configs-broker", AdminScenarios::brokerConfigs);
    JavaClientScenarios.register("admin-create-partitions", AdminScenarios::createPartitions);
    JavaClientScenarios.register("admin-delete-records", AdminScenarios::deleteRecords);
    JavaClientScenarios.register("admin-list-offsets", AdminScenarios::listOffsets);
    JavaClientScenarios.register("admin-groups", AdminScenarios::groups);
    JavaClientScenarios.register("admin-group-offsets", AdminScenarios::groupOffsets);
    JavaClientScenarios.register("admin-describe-cluster", AdminScenarios::describeCluster);
    JavaClientScenarios.register("admin-elect-leaders", AdminScenarios::electLeaders);
    JavaClientScenarios.register("admin-reassign-partitions", AdminScenarios::reassignPartitions);
    JavaClientScenarios.register("admin-describe-log-dirs", AdminScenarios::describeLogDirs);
    JavaClientScenarios.register("admin-describe-producers", AdminScenarios::describeProducers);
  }

  /** Runs a call that must fail; returns the simple class name of what it threw. */
  static String expectError(Ctx c, String call, String what, Callable<?> fn) throws Exception {
    try {
      c.time(call, fn);
    } catch (Exception e) {
      Throwable r = JavaClientScenarios.root(e);
      if (r instanceof Ctx.Failure f) throw f;
      c.detail.put(what, JavaClientScenarios.describe(r));
      return r.getClass().getSimpleName();
    }
    throw new Ctx.Failure(what + ": succeeded, an error was expected");
  }

  static TopicDescription describeTopic(Ctx c, String topic) throws Exception {
    return c.timeSettled("describeTopics", () -> c.admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic));
  }

  static Set<String> listTopics(Ctx c) throws Exception {
    return c.time("listTopics", () -> c.admin.listTopics().names().get());
  }

  static TopicPartitionInfo partition(Ctx c, String topic, int p) throws Exception {
    return describeTopic(c, topic).partitions().get(p);
  }

  static List<Integer> ids(Collection<Node> nodes) {
    List<Integer> out = new ArrayList<>();
    for (Node n : nodes) out.add(n.id());
    return out;
  }

  // ---- topics ---------------------------------------------------------------------------------

  static void topics(Ctx c) throws Exception {
    String t1 = c.topic("admin-a");
    String t2 = c.topic("admin-b");
    String t3 = c.topic("admin-validate");
    Map<String, Object> seen = new LinkedHashMap<>();
    CreateTopicsResult r = c.admin.createTopics(List.of(new NewTopic(t1, Optional.of(3), Optional.empty()),
        new NewTopic(t2, 1, (short) 1).configs(Map.of("retention.ms", "3600000", "cleanup.policy", "compact"))));
    c.time("createTopics", () -> r.all().get());
    seen.put("created", Map.of("partitions", r.numPartitions(t1).get(), "replicationFactor", r.replicationFactor(t1).get()));
    Config cfg2 = r.config(t2).get();
    seen.put("createdConfigs", Map.of("retention.ms", cfg2.get("retention.ms").value(), "cleanup.policy",
        cfg2.get("cleanup.policy").value()));
    checkEqual("3600000", cfg2.get("retention.ms").value(), "retention.ms in the CreateTopics answer");
    seen.put("createExisting", expectError(c, "createTopics", "createExisting",
        () -> c.admin.createTopics(List.of(new NewTopic(t1, 1, (short) 1))).all().get()));
    seen.put("createInvalidName", expectError(c, "createTopics", "createInvalidName",
        () -> c.admin.createTopics(List.of(new NewTopic("bad/name", 1, (short) 1))).all().get()));
    seen.put("createTooManyReplicas", expectError(c, "createTopics", "createTooManyReplicas",
        () -> c.admin.createTopics(List.of(new NewTopic(c.topic("rf"), 1, (short) (c.brokers + 1)))).all().get()));
    c.time("createTopics(validateOnly)", () -> c.admin
        .createTopics(List.of(new NewTopic(t3, 2, (short) 1)), new CreateTopicsOptions().validateOnly(true)).all().get());
    Set<String> names = listTopics(c);
    check(names.contains(t1) && names.contains(t2), "listTopics lacks the new topics");
    check(!names.contains(t3), "listTopics lists the topic only validated");
    TopicDescription d = describeTopic(c, t1);
    checkEqual(3, d.partitions().size(), "partitions of " + t1);
    for (TopicPartitionInfo p : d.partitions()) {
      check(p.leader() != null && !p.leader().isEmpty(), "partition %d has no leader", p.partition());
      checkEqual(1, p.replicas().size(), "replicas of partition " + p.partition());
    }
    check(d.topicId() != null && !d.topicId().toString().equals("AAAAAAAAAAAAAAAAAAAAAA"), "topic id %s", d.topicId());
    seen.put("describe", Map.of("partitions", d.partitions().size(), "internal", d.isInternal()));
    seen.put("describeMissing", expectError(c, "describeTopics", "describeMissing",
        () -> c.admin.describeTopics(List.of(c.topic("missing"))).allTopicNames().get()));
    c.time("deleteTopics", () -> c.admin.deleteTopics(List.of(t1, t2)).all().get());
    c.time("deleteTopics(until listTopics drops them)", () -> {
      Ctx.waitUntil("the deleted topics leave listTopics", 30_000, () -> {
        Set<String> n = c.admin.listTopics().names().get();
        return !n.contains(t1) && !n.contains(t2);
      });
      return null;
    });
    seen.put("deleteMissing", expectError(c, "deleteTopics", "deleteMissing",
        () -> c.admin.deleteTopics(List.of(c.topic("missing"))).all().get()));
    // The same name again at once, as a fresh topic.
    c.time("createTopics(recreate)", () -> c.admin.createTopics(List.of(new NewTopic(t1, 1, (short) 1))).all().get());
    c.awaitTopic(t1, 1);
    TopicDescription again = describeTopic(c, t1);
    checkEqual(1, again.partitions().size(), "partitions of the recreated topic");
    check(!again.topicId().equals(d.topicId()), "the recreated topic kept the old topic id");
    c.time("deleteTopics", () -> c.admin.deleteTopics(List.of(t1)).all().get());
    c.compare.put("seen", seen);
  }

  // ---- configs --------------------------------------------------------------------------------

  static Config describeConfigs(Ctx c, ConfigResource res, boolean synonyms) throws Exception {
    return c.timeSettled("describeConfigs", () -> c.admin
        .describeConfigs(List.of(res), new DescribeConfigsOptions().includeSynonyms(synonyms)).all().get().get(res));
  }

  static Map<String, Object> entry(Config cfg, String name) {
    ConfigEntry e = cfg.get(name);
    Map<String, Object> m = new LinkedHashMap<>();
    if (e == null) {
      m.put("missing", true);
      return m;
    }
    m.put("value", e.value());
    m.put("source", e.source().toString());
    m.put("readOnly", e.isReadOnly());
    m.put("sensitive", e.isSensitive());
    if (!e.synonyms().isEmpty()) {
      List<String> syn = new ArrayList<>();
      for (ConfigEntry.ConfigSynonym s : e.synonyms()) syn.add(s.name() + "=" + s.value() + " (" + s.source() + ")");
      m.put("synonyms", syn);
    }
    return m;
  }

  static void alter(Ctx c, ConfigResource res, AlterConfigOp... ops) throws Exception {
    c.time("incrementalAlterConfigs",
        () -> c.admin.incrementalAlterConfigs(Map.of(res, List.of(ops))).all().get());
  }

  static AlterConfigOp op(String name, String value, AlterConfigOp.OpType type) {
    return new AlterConfigOp(new ConfigEntry(name, value), type);
  }

  /** Waits until the described value of `name` is `value` (null: the entry has the value of its default). */
  static Config waitConfig(Ctx c, ConfigResource res, String name, String value, String source) throws Exception {
    Config[] last = new Config[1];
    Ctx.waitUntil(res + " " + name + " = " + value + " (" + source + ")", 15_000, () -> {
      last[0] = describeConfigs(c, res, true);
      ConfigEntry e = last[0].get(name);
      return e != null && java.util.Objects.equals(value, e.value()) && e.source().toString().equals(source);
    });
    return last[0];
  }

  static void topicConfigs(Ctx c) throws Exception {
    String topic = c.createTopic("configs", 1);
    ConfigResource res = new ConfigResource(ConfigResource.Type.TOPIC, topic);
    Map<String, Object> seen = new LinkedHashMap<>();
    Config initial = describeConfigs(c, res, true);
    for (String n : List.of("retention.ms", "cleanup.policy", "max.message.bytes", "segment.bytes",
        "message.timestamp.type", "compression.type"))
      seen.put("initial " + n, entry(initial, n));
    // Shown, not compared: Kafka 4's storage format sets min.insync.replicas=1 as a cluster-wide
    // dynamic config (for eligible leader replicas), so Kafka reports DYNAMIC_DEFAULT_BROKER_CONFIG.
    c.detail.put("initial min.insync.replicas", entry(initial, "min.insync.replicas"));
    checkEqual("604800000", initial.get("retention.ms").value(), "retention.ms default");
    checkEqual("DEFAULT_CONFIG", initial.get("retention.ms").source().toString(), "retention.ms source");
    alter(c, res, op("retention.ms", "3600000", AlterConfigOp.OpType.SET),
        op("cleanup.policy", "compact", AlterConfigOp.OpType.APPEND));
    waitConfig(c, res, "retention.ms", "3600000", "DYNAMIC_TOPIC_CONFIG");
    Config altered = waitConfig(c, res, "cleanup.policy", "delete,compact", "DYNAMIC_TOPIC_CONFIG");
    seen.put("altered retention.ms", entry(altered, "retention.ms"));
    seen.put("altered cleanup.policy", entry(altered, "cleanup.policy"));
    alter(c, res, op("retention.ms", null, AlterConfigOp.OpType.DELETE),
        op("cleanup.policy", "compact", AlterConfigOp.OpType.SUBTRACT));
    waitConfig(c, res, "retention.ms", "604800000", "DEFAULT_CONFIG");
    Config restored = waitConfig(c, res, "cleanup.policy", "delete", "DYNAMIC_TOPIC_CONFIG");
    seen.put("restored retention.ms", entry(restored, "retention.ms"));
    seen.put("restored cleanup.policy", entry(restored, "cleanup.policy"));
    seen.put("invalidValue", expectError(c, "incrementalAlterConfigs", "invalidValue",
        () -> c.admin.incrementalAlterConfigs(Map.of(res, List.of(op("retention.ms", "abc", AlterConfigOp.OpType.SET))))
            .all().get()));
    seen.put("unknownName", expectError(c, "incrementalAlterConfigs", "unknownName",
        () -> c.admin
            .incrementalAlterConfigs(Map.of(res, List.of(op("no.such.config", "1", AlterConfigOp.OpType.SET)))).all()
            .get()));
    seen.put("missingTopic", expectError(c, "describeConfigs", "missingTopic",
        () -> c.admin.describeConfigs(List.of(new ConfigResource(ConfigResource.Type.TOPIC, c.topic("missing")))).all()
            .get()));
    c.compare.put("seen", seen);
  }

  static void brokerConfigs(Ctx c) throws Exception {
    String id = String.valueOf(c.brokerIds.get(0));
    ConfigResource broker = new ConfigResource(ConfigResource.Type.BROKER, id);
    ConfigResource cluster = new ConfigResource(ConfigResource.Type.BROKER, "");
    Map<String, Object> seen = new LinkedHashMap<>();
    Config initial = describeConfigs(c, broker, true);
    for (String n : List.of("message.max.bytes", "num.partitions", "default.replication.factor", "log.retention.hours",
        "log.retention.ms", "log.roll.ms", "log.roll.hours", "auto.create.topics.enable", "offsets.topic.num.partitions",
        "log.segment.bytes",
        "log.cleaner.backoff.ms", "log.cleaner.delete.retention.ms"))
      seen.put("initial " + n, entry(initial, n));
    checkEqual("1048588", initial.get("message.max.bytes").value(), "message.max.bytes");
    try {
      // This broker's own value, then the cluster-wide default, then both removed. Configs that
      // no other scenario reads (the others run meanwhile): log.roll.ms is segment.ms's broker
      // default, log.cleaner.delete.retention.ms delete.retention.ms's.
      alter(c, broker, op("log.roll.ms", "3600000", AlterConfigOp.OpType.SET));
      Config perBroker = waitConfig(c, broker, "log.roll.ms", "3600000", "DYNAMIC_BROKER_CONFIG");
      seen.put("per-broker log.roll.ms", entry(perBroker, "log.roll.ms"));
      alter(c, cluster, op("log.cleaner.delete.retention.ms", "3600000", AlterConfigOp.OpType.SET));
      Config withDefault = waitConfig(c, broker, "log.cleaner.delete.retention.ms", "3600000",
          "DYNAMIC_DEFAULT_BROKER_CONFIG");
      seen.put("cluster-default log.cleaner.delete.retention.ms", entry(withDefault, "log.cleaner.delete.retention.ms"));
      Config defaults = describeConfigs(c, cluster, false);
      seen.put("describe cluster default", entry(defaults, "log.cleaner.delete.retention.ms"));
      restore(c, broker, cluster);
      Config back = waitConfig(c, broker, "log.cleaner.delete.retention.ms", "86400000", "DEFAULT_CONFIG");
      seen.put("restored log.roll.ms", entry(back, "log.roll.ms"));
      seen.put("restored log.cleaner.delete.retention.ms", entry(back, "log.cleaner.delete.retention.ms"));
      seen.put("staticConfig", expectError(c, "incrementalAlterConfigs", "staticConfig",
          () -> c.admin.incrementalAlterConfigs(Map.of(broker, List.of(op("log.dirs", "/x", AlterConfigOp.OpType.SET))))
              .all().get()));
      c.compare.put("seen", seen);
      // The log cleaner's pause is a cluster-wide dynamic config in Kafka.
      alter(c, cluster, op("log.cleaner.backoff.ms", "20000", AlterConfigOp.OpType.SET));
      seen.put("cluster-default log.cleaner.backoff.ms",
          entry(waitConfig(c, broker, "log.cleaner.backoff.ms", "20000", "DYNAMIC_DEFAULT_BROKER_CONFIG"),
              "log.cleaner.backoff.ms"));
      alter(c, cluster, op("log.cleaner.backoff.ms", null, AlterConfigOp.OpType.DELETE));
      waitConfig(c, broker, "log.cleaner.backoff.ms", "15000", "DEFAULT_CONFIG");
    } catch (Exception e) {
      // Whatever happened, the cluster gets its defaults back (other scenarios share it).
      try {
        restore(c, broker, cluster);
      } catch (Exception again) {
        e.addSuppressed(again);
      }
      throw e;
    }
  }

  /** Deletes the dynamic broker configs brokerConfigs sets (DELETE of a config not set is no error). */
  static void restore(Ctx c, ConfigResource broker, ConfigResource cluster) throws Exception {
    alter(c, broker, op("log.roll.ms", null, AlterConfigOp.OpType.DELETE));
    alter(c, cluster, op("log.cleaner.delete.retention.ms", null, AlterConfigOp.OpType.DELETE));
  }

  // ---- partitions and records ------------------------------------------------------------------

  static void createPartitions(Ctx c) throws Exception {
    String topic = c.createTopic("partitions", 1);
    Map<String, Object> seen = new LinkedHashMap<>();
    c.time("createPartitions", () -> c.admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get());
    Ctx.waitUntil("describeTopics shows 3 partitions", 15_000, () -> describeTopic(c, topic).partitions().size() == 3);
    seen.put("partitions", describeTopic(c, topic).partitions().size());
    seen.put("decrease", expectError(c, "createPartitions", "decrease",
        () -> c.admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(2))).all().get()));
    seen.put("same", expectError(c, "createPartitions", "same",
        () -> c.admin.createPartitions(Map.of(topic, NewPartitions.increaseTo(3))).all().get()));
    seen.put("missing", expectError(c, "createPartitions", "missing",
        () -> c.admin.createPartitions(Map.of(c.topic("missing"), NewPartitions.increaseTo(2))).all().get()));
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      seen.put("produceToNewPartition", p.send(new ProducerRecord<>(topic, 2, "k", "v")).get().offset());
    }
    c.compare.put("seen", seen);
  }

  static long listOffset(Ctx c, TopicPartition tp, OffsetSpec spec, String what, Map<String, Object> seen)
      throws Exception {
    ListOffsetsResultInfo i = c.time("listOffsets(" + what + ")",
        () -> c.admin.listOffsets(Map.of(tp, spec)).partitionResult(tp).get());
    seen.put(what, List.of(i.offset(), i.timestamp()));
    return i.offset();
  }

  static void deleteRecords(Ctx c) throws Exception {
    String topic = c.createTopic("delete-records", 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      ProducerScenarios.sendDataSet(p, topic, 10, 1);
    }
    Map<String, Object> seen = new LinkedHashMap<>();
    long low = c.time("deleteRecords",
        () -> c.admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(4))).lowWatermarks().get(tp).get())
        .lowWatermark();
    seen.put("lowWatermark", low);
    checkEqual(4L, low, "low watermark after deleting before offset 4");
    checkEqual(4L, listOffset(c, tp, OffsetSpec.earliest(), "earliest", seen), "earliest offset after deleteRecords");
    List<ConsumerRecord<String, String>> rest = new ArrayList<>();
    try (KafkaConsumer<String, String> k = new KafkaConsumer<>(c.consumerProps(null))) {
      k.assign(List.of(tp));
      k.seekToBeginning(List.of(tp));
      rest.addAll(ConsumerScenarios.pollN(k, 6, 30_000));
    }
    checkEqual(4L, rest.get(0).offset(), "first offset read after deleteRecords");
    checkEqual(Ctx.valueOf(4), rest.get(0).value(), "first value read after deleteRecords");
    seen.put("beyondHighWatermark", expectError(c, "deleteRecords", "beyondHighWatermark",
        () -> c.admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(11))).all().get()));
    long all = c.time("deleteRecords",
        () -> c.admin.deleteRecords(Map.of(tp, RecordsToDelete.beforeOffset(-1))).lowWatermarks().get(tp).get())
        .lowWatermark();
    seen.put("lowWatermarkAll", all);
    checkEqual(10L, all, "low watermark after deleting up to the high watermark (-1)");
    listOffset(c, tp, OffsetSpec.earliest(), "earliestAfterAll", seen);
    listOffset(c, tp, OffsetSpec.latest(), "latestAfterAll", seen);
    c.compare.put("seen", seen);
  }

  static void listOffsets(Ctx c) throws Exception {
    String topic = c.createTopic("list-offsets", 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    long base = (System.currentTimeMillis() - 3_600_000) / 1000 * 1000;
    // Offsets 0..4 in one batch, timestamps out of order; 5 and 6 each in their own batch.
    long[] ts = {1000, 5000, 3000, 2000, 4000, 2500, 4500};
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      List<java.util.concurrent.Future<?>> fs = new ArrayList<>();
      for (int i = 0; i < 5; i++) fs.add(p.send(new ProducerRecord<>(topic, 0, base + ts[i], Ctx.keyOf(i), Ctx.valueOf(i))));
      for (var f : fs) f.get();
      for (int i = 5; i < 7; i++) p.send(new ProducerRecord<>(topic, 0, base + ts[i], Ctx.keyOf(i), Ctx.valueOf(i))).get();
    }
    Map<String, Object> seen = new LinkedHashMap<>();
    checkEqual(0L, listOffset(c, tp, OffsetSpec.earliest(), "earliest", seen), "earliest");
    checkEqual(7L, listOffset(c, tp, OffsetSpec.latest(), "latest", seen), "latest");
    checkEqual(0L, listOffset(c, tp, OffsetSpec.earliestLocal(), "earliestLocal", seen), "earliest local");
    checkEqual(1L, listOffset(c, tp, OffsetSpec.maxTimestamp(), "maxTimestamp", seen), "offset of the max timestamp");
    checkEqual(1L, listOffset(c, tp, OffsetSpec.forTimestamp(base + 2500), "forTimestamp(+2500)", seen),
        "first offset with a timestamp >= base + 2500");
    checkEqual(0L, listOffset(c, tp, OffsetSpec.forTimestamp(base), "forTimestamp(+0)", seen),
        "first offset with a timestamp >= base");
    checkEqual(-1L, listOffset(c, tp, OffsetSpec.forTimestamp(base + 6000), "forTimestamp(+6000)", seen),
        "no offset with a timestamp >= base + 6000");
    // Timestamps relative to base, so the targets compare.
    Map<String, Object> rel = new LinkedHashMap<>();
    for (Map.Entry<String, Object> e : seen.entrySet()) {
      @SuppressWarnings("unchecked")
      List<Long> v = (List<Long>) e.getValue();
      rel.put(e.getKey(), List.of(v.get(0), v.get(1) < 0 ? v.get(1) : v.get(1) - base));
    }
    c.detail.put("base", base);
    c.compare.put("seen", rel);
  }

  // ---- groups ---------------------------------------------------------------------------------

  static ConsumerGroupDescription describeGroup(Ctx c, String group) throws Exception {
    return c.time("describeConsumerGroups",
        () -> c.admin.describeConsumerGroups(List.of(group)).all().get().get(group));
  }

  static Map<String, Object> render(ConsumerGroupDescription d) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("type", d.type().toString());
    m.put("state", d.groupState().toString());
    m.put("members", d.members().size());
    m.put("assignor", d.partitionAssignor());
    List<Integer> assigned = new ArrayList<>();
    d.members().forEach(x -> x.assignment().topicPartitions().forEach(tp -> assigned.add(tp.partition())));
    assigned.sort(null);
    m.put("assigned", assigned);
    m.put("simple", d.isSimpleConsumerGroup());
    return m;
  }

  static Map<String, GroupListing> listGroups(Ctx c) throws Exception {
    Map<String, GroupListing> out = new LinkedHashMap<>();
    for (GroupListing g : c.time("listGroups", () -> c.admin.listGroups().all().get())) out.put(g.groupId(), g);
    return out;
  }

  /** A consumer subscribed to `topic` in `group` once it has its assignment; what it read meanwhile goes to `read`. */
  static KafkaConsumer<String, String> joined(Ctx c, String group, String protocol, String topic,
      List<ConsumerRecord<String, String>> read) {
    KafkaConsumer<String, String> k = new KafkaConsumer<>(ConsumerScenarios.groupProps(c, group, protocol));
    k.subscribe(List.of(topic));
    long deadline = System.currentTimeMillis() + 60_000;
    while (k.assignment().isEmpty()) {
      check(System.currentTimeMillis() < deadline, "%s: no assignment in 60 s", group);
      for (ConsumerRecord<String, String> r : k.poll(Duration.ofMillis(100))) read.add(r);
    }
    return k;
  }

  static void groups(Ctx c) throws Exception {
    String topic = c.createTopic("groups", 2);
    String classic = c.topic("classic");
    String modern = c.topic("consumer");
    Map<String, Object> seen = new LinkedHashMap<>();
    KafkaConsumer<String, String> kc = joined(c, classic, "classic", topic, new ArrayList<>());
    KafkaConsumer<String, String> km = joined(c, modern, "consumer", topic, new ArrayList<>());
    try {
      kc.commitSync();
      km.commitSync();
      Ctx.waitUntil("both groups Stable", 30_000, () -> describeGroup(c, classic).groupState().toString().equals("Stable")
          && describeGroup(c, modern).groupState().toString().equals("Stable"));
      Map<String, GroupListing> listed = listGroups(c);
      for (String g : List.of(classic, modern)) {
        GroupListing l = listed.get(g);
        check(l != null, "listGroups lacks %s", g);
        seen.put("listed " + (g.equals(classic) ? "classic" : "consumer"),
            Map.of("type", l.type().map(Object::toString).orElse("none"), "protocol", l.protocol(), "state",
                l.groupState().map(Object::toString).orElse("none")));
      }
      seen.put("describe classic", render(describeGroup(c, classic)));
      seen.put("describe consumer", render(describeGroup(c, modern)));
      seen.put("deleteActive", expectError(c, "deleteConsumerGroups", "deleteActive",
          () -> c.admin.deleteConsumerGroups(List.of(classic)).all().get()));
    } finally {
      kc.close();
      km.close();
    }
    for (String g : List.of(classic, modern)) {
      String which = g.equals(classic) ? "classic" : "consumer";
      Ctx.waitUntil(g + " Empty", 30_000, () -> describeGroup(c, g).groupState().toString().equals("Empty"));
      seen.put("describe " + which + " after close", render(describeGroup(c, g)));
      c.time("deleteConsumerGroups", () -> c.admin.deleteConsumerGroups(List.of(g)).all().get());
      check(!listGroups(c).containsKey(g), "listGroups still lists %s after deleting it", g);
      // A deleted group is gone: Kafka 4.4 answers DescribeGroups v6 (KIP-1043) with GROUP_ID_NOT_FOUND,
      // which the client throws; a broker of Kafka 4.0's protocol (Samsa serves DescribeGroups up to v5)
      // answers with state Dead, which the client returns as a DEAD description. Both mean "gone".
      String after;
      try {
        String state = describeGroup(c, g).groupState().toString();
        after = state.equals("DEAD") ? "gone" : "state " + state;
      } catch (Exception e) {
        Throwable root = JavaClientScenarios.root(e);
        after = root.getClass().getSimpleName().equals("GroupIdNotFoundException")
            ? "gone"
            : root.getClass().getSimpleName();
      }
      seen.put("describe " + which + " after delete", after);
    }
    seen.put("deleteMissing", expectError(c, "deleteConsumerGroups", "deleteMissing",
        () -> c.admin.deleteConsumerGroups(List.of(c.topic("missing"))).all().get()));
    c.compare.put("seen", seen);
  }

  static Map<Integer, List<Object>> offsetsOf(Ctx c, String group) throws Exception {
    Map<TopicPartition, OffsetAndMetadata> m = c.time("listConsumerGroupOffsets",
        () -> c.admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get());
    Map<Integer, List<Object>> out = new java.util.TreeMap<>();
    m.forEach((tp, om) -> out.put(tp.partition(), om == null ? null : List.of(om.offset(), om.metadata())));
    return out;
  }

  static void groupOffsets(Ctx c) throws Exception {
    String topic = c.createTopic("group-offsets", 2);
    String group = c.topic("offsets");
    TopicPartition p0 = new TopicPartition(topic, 0);
    TopicPartition p1 = new TopicPartition(topic, 1);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      ProducerScenarios.sendDataSet(p, topic, 20, 2);
    }
    Map<String, Object> seen = new LinkedHashMap<>();
    c.timeSettled("alterConsumerGroupOffsets", () -> c.admin
        .alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(3, "m0"), p1, new OffsetAndMetadata(5)))
        .all().get());
    Map<Integer, List<Object>> afterAlter = offsetsOf(c, group);
    seen.put("afterAlter", afterAlter);
    checkEqual(Map.of(0, List.of(3L, "m0"), 1, List.of(5L, "")), afterAlter, "offsets after alterConsumerGroupOffsets");
    seen.put("describe", render(describeGroup(c, group)));
    c.time("deleteConsumerGroupOffsets",
        () -> c.admin.deleteConsumerGroupOffsets(group, Set.of(p0)).all().get());
    Map<Integer, List<Object>> afterDelete = offsetsOf(c, group);
    seen.put("afterDelete", afterDelete);
    checkEqual(Map.of(1, List.of(5L, "")), afterDelete, "offsets after deleteConsumerGroupOffsets(partition 0)");
    // A member resumes partition 1 at 5; partition 0 has no offset, so it starts at the end (latest).
    List<ConsumerRecord<String, String>> got = new ArrayList<>();
    try (KafkaConsumer<String, String> k = joined(c, group, "classic", topic, got)) {
      long deadline = System.currentTimeMillis() + 30_000;
      while (got.size() < 5) {
        check(System.currentTimeMillis() < deadline, "%d of 5 records in 30 s", got.size());
        for (ConsumerRecord<String, String> r : k.poll(Duration.ofMillis(100))) got.add(r);
      }
      checkEqual(5L, got.get(0).offset(), "where the member resumed partition 1");
      checkEqual(1, got.get(0).partition(), "the partition it resumed");
      seen.put("resumed", List.of(got.get(0).partition(), got.get(0).offset(), got.size()));
      seen.put("alterWhileActive", expectError(c, "alterConsumerGroupOffsets", "alterWhileActive",
          () -> c.admin.alterConsumerGroupOffsets(group, Map.of(p0, new OffsetAndMetadata(1))).all().get()));
      seen.put("deleteWhileSubscribed", expectError(c, "deleteConsumerGroupOffsets", "deleteWhileSubscribed",
          () -> c.admin.deleteConsumerGroupOffsets(group, Set.of(p1)).all().get()));
    }
    c.compare.put("seen", seen);
  }

  // ---- the cluster ----------------------------------------------------------------------------

  static void describeCluster(Ctx c) throws Exception {
    DescribeClusterResult r = c.admin.describeCluster();
    Collection<Node> nodes = c.time("describeCluster", () -> r.nodes().get());
    Node controller = r.controller().get();
    String clusterId = r.clusterId().get();
    check(clusterId != null && !clusterId.isEmpty(), "no cluster id");
    check(controller != null && !controller.isEmpty(), "no controller");
    List<Integer> ids = ids(nodes);
    check(ids.contains(controller.id()), "the controller %d is not among the brokers %s", controller.id(), ids);
    List<String> addresses = new ArrayList<>();
    for (Node n : nodes) addresses.add(n.host() + ":" + n.port());
    for (String a : addresses)
      check(List.of(c.bootstrap.split(",")).contains(a), "broker address %s is not one of %s", a, c.bootstrap);
    c.detail.put("clusterId", clusterId);
    c.detail.put("controller", controller.id());
    c.detail.put("addresses", addresses);
    c.compare.put("brokers", nodes.size());
    c.compare.put("controllerIsABroker", true);
  }

  static void electLeaders(Ctx c) throws Exception {
    Map<String, Object> seen = new LinkedHashMap<>();
    seen.put("missing", electionOutcome(c, ElectionType.PREFERRED, new TopicPartition(c.topic("missing"), 0)));
    if (c.brokers < 3) {
      String topic = c.createTopic("elect", 1);
      TopicPartition tp = new TopicPartition(topic, 0);
      seen.put("preferred", electionOutcome(c, ElectionType.PREFERRED, tp));
      c.compare.put("seen", seen);
      return;
    }
    int a = c.brokerIds.get(0);
    int b = c.brokerIds.get(1);
    int x = c.brokerIds.get(2);
    String topic = c.topic("elect");
    c.time("createTopics", () -> c.admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(a, b, x))))).all().get());
    c.awaitTopic(topic, 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    Ctx.waitUntil("leader " + a + " with 3 in-sync replicas", 30_000, () -> {
      TopicPartitionInfo p = partition(c, topic, 0);
      return p.leader() != null && p.leader().id() == a && p.isr().size() == 3;
    });
    seen.put("preferredWhilePreferred", electionOutcome(c, ElectionType.PREFERRED, tp));
    // Same replicas, another order: the preferred leader becomes b, the leader stays a.
    c.time("alterPartitionReassignments", () -> c.admin
        .alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(b, a, x))))).all().get());
    Ctx.waitUntil("replicas reordered to " + List.of(b, a, x), 30_000,
        () -> ids(partition(c, topic, 0).replicas()).equals(List.of(b, a, x)) && !reassigning(c, tp));
    TopicPartitionInfo reordered = partition(c, topic, 0);
    seen.put("leaderAfterReorder", reordered.leader().id() == a ? "unchanged" : "moved to " + reordered.leader().id());
    seen.put("preferred", electionOutcome(c, ElectionType.PREFERRED, tp));
    Ctx.waitUntil("leader " + b + " after the preferred election", 30_000,
        () -> partition(c, topic, 0).leader().id() == b);
    seen.put("leaderAfterElection", "the new preferred replica");
    seen.put("unclean", electionOutcome(c, ElectionType.UNCLEAN, tp));
    c.compare.put("seen", seen);
  }

  /** "elected", or the simple class name of the partition's error. */
  static String electionOutcome(Ctx c, ElectionType type, TopicPartition tp) throws Exception {
    Map<TopicPartition, Optional<Throwable>> r = c.time("electLeaders(" + type + ")",
        () -> c.admin.electLeaders(type, Set.of(tp)).partitions().get());
    Optional<Throwable> e = r.get(tp);
    check(e != null, "ElectLeaders answered nothing for %s", tp);
    return e.map(t -> t.getClass().getSimpleName()).orElse("elected");
  }

  static boolean reassigning(Ctx c, TopicPartition tp) throws Exception {
    Map<TopicPartition, PartitionReassignment> m = c.time("listPartitionReassignments",
        () -> c.admin.listPartitionReassignments(Set.of(tp)).reassignments().get());
    return m.containsKey(tp);
  }

  static void reassignPartitions(Ctx c) throws Exception {
    Map<String, Object> seen = new LinkedHashMap<>();
    if (c.brokers < 3) {
      String topic = c.createTopic("reassign", 1);
      TopicPartition tp = new TopicPartition(topic, 0);
      seen.put("unknownBroker", expectError(c, "alterPartitionReassignments", "unknownBroker",
          () -> c.admin.alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(99)))))
              .all().get()));
      seen.put("cancelNone", expectError(c, "alterPartitionReassignments", "cancelNone",
          () -> c.admin.alterPartitionReassignments(Map.of(tp, Optional.empty())).all().get()));
      seen.put("reassigning", reassigning(c, tp));
      c.compare.put("seen", seen);
      return;
    }
    int a = c.brokerIds.get(0);
    int b = c.brokerIds.get(1);
    int x = c.brokerIds.get(2);
    String topic = c.topic("reassign");
    c.time("createTopics", () -> c.admin.createTopics(List.of(new NewTopic(topic, Map.of(0, List.of(a, b))))).all().get());
    c.awaitTopic(topic, 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      ProducerScenarios.sendDataSet(p, topic, 50, 1);
    }
    c.time("alterPartitionReassignments", () -> c.admin
        .alterPartitionReassignments(Map.of(tp, Optional.of(new NewPartitionReassignment(List.of(b, x))))).all().get());
    c.time("reassignment (until done)", () -> {
      Ctx.waitUntil("replicas " + List.of(b, x) + ", both in sync, no reassignment listed", 60_000, () -> {
        TopicPartitionInfo p = partition(c, topic, 0);
        return ids(p.replicas()).equals(List.of(b, x)) && new TreeSet<>(ids(p.isr())).equals(new TreeSet<>(List.of(b, x)))
            && !reassigning(c, tp);
      });
      return null;
    });
    TopicPartitionInfo p = partition(c, topic, 0);
    seen.put("replicas", "the new ones");
    seen.put("leaderIsANewReplica", List.of(b, x).contains(p.leader().id()));
    check(List.of(b, x).contains(p.leader().id()), "leader %d is not one of the new replicas", p.leader().id());
    try (KafkaProducer<String, String> pr = new KafkaProducer<>(c.producerProps())) {
      for (int i = 50; i < 100; i++) pr.send(new ProducerRecord<>(topic, 0, Ctx.keyOf(i), Ctx.valueOf(i)));
      pr.flush();
    }
    ProducerScenarios.checkDataSet(c.readAll(topic, 1, 100, 30_000), 100, 1);
    seen.put("records", 100);
    seen.put("cancelNone", expectError(c, "alterPartitionReassignments", "cancelNone",
        () -> c.admin.alterPartitionReassignments(Map.of(tp, Optional.empty())).all().get()));
    c.compare.put("seen", seen);
  }

  // ---- log dirs and producers -----------------------------------------------------------------

  static void describeLogDirs(Ctx c) throws Exception {
    String topic = c.createTopic("log-dirs", 2);
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      ProducerScenarios.sendDataSet(p, topic, 100, 2);
    }
    Map<Integer, Map<String, LogDirDescription>> dirs = c.time("describeLogDirs",
        () -> c.admin.describeLogDirs(c.brokerIds).allDescriptions().get());
    checkEqual(new TreeSet<>(c.brokerIds), new TreeSet<>(dirs.keySet()), "brokers answering DescribeLogDirs");
    Map<Integer, Long> sizes = new java.util.TreeMap<>();
    List<Object> perDir = new ArrayList<>();
    for (var byBroker : dirs.entrySet())
      for (var d : byBroker.getValue().entrySet()) {
        LogDirDescription ld = d.getValue();
        check(ld.error() == null, "broker %d dir %s: %s", byBroker.getKey(), d.getKey(), ld.error());
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("broker", byBroker.getKey());
        m.put("totalBytes", ld.totalBytes().isPresent());
        m.put("usableBytes", ld.usableBytes().isPresent());
        ld.totalBytes().ifPresent(t -> check(t > 0, "totalBytes %d", t));
        perDir.add(m);
        for (int part = 0; part < 2; part++) {
          ReplicaInfo ri = ld.replicaInfos().get(new TopicPartition(topic, part));
          if (ri == null) continue;
          check(!ri.isFuture(), "partition %d: a future replica", part);
          checkEqual(0L, ri.offsetLag(), "offset lag of partition " + part);
          sizes.merge(part, ri.size(), Long::sum);
        }
      }
    checkEqual(Set.of(0, 1), sizes.keySet(), "partitions found in the log dirs");
    for (var e : sizes.entrySet()) check(e.getValue() > 0, "partition %d has size %d", e.getKey(), e.getValue());
    c.detail.put("sizes", sizes);
    c.detail.put("dirs", perDir);
    c.compare.put("partitionsFound", List.copyOf(sizes.keySet()));
    List<Object> shape = new ArrayList<>();
    for (Object o : perDir) {
      @SuppressWarnings("unchecked")
      Map<String, Object> m = new LinkedHashMap<>((Map<String, Object>) o);
      m.remove("broker");
      shape.add(m);
    }
    c.compare.put("dirs", shape);
  }

  static void describeProducers(Ctx c) throws Exception {
    String topic = c.createTopic("producers", 1);
    TopicPartition tp = new TopicPartition(topic, 0);
    Map<String, Object> seen = new LinkedHashMap<>();
    try (KafkaProducer<String, String> p = new KafkaProducer<>(c.producerProps())) {
      for (int i = 0; i < 5; i++) p.send(new ProducerRecord<>(topic, 0, Ctx.keyOf(i), Ctx.valueOf(i))).get();
    }
    List<ProducerState> states = c.time("describeProducers", () -> c.admin.describeProducers(List.of(tp)).partitionResult(tp).get())
        .activeProducers();
    checkEqual(1, states.size(), "active producers after an idempotent producer");
    ProducerState s = states.get(0);
    seen.put("idempotent", Map.of("lastSequence", s.lastSequence(), "producerEpoch", s.producerEpoch(),
        "coordinatorEpoch", s.coordinatorEpoch().isPresent() ? String.valueOf(s.coordinatorEpoch().getAsInt()) : "empty", "transactionStart",
        s.currentTransactionStartOffset().isPresent() ? "present" : "empty", "lastTimestampSet", s.lastTimestamp() > 0));
    checkEqual(4, s.lastSequence(), "last sequence");
    Properties props = c.producerProps();
    props.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "false"); // the case: a producer that is not idempotent
    try (KafkaProducer<String, String> p = new KafkaProducer<>(props)) {
      for (int i = 5; i < 8; i++) p.send(new ProducerRecord<>(topic, 0, Ctx.keyOf(i), Ctx.valueOf(i))).get();
    }
    List<ProducerState> after = c.time("describeProducers",
        () -> c.admin.describeProducers(List.of(tp)).partitionResult(tp).get()).activeProducers();
    seen.put("afterNonIdempotent", after.size());
    checkEqual(1, after.size(), "active producers after a producer without idempotence");
    c.compare.put("seen", seen);
  }

}
