package dev.samsa.peers;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * End-to-end latency at a fixed rate, for the broker benchmark (test/bench/): one producer and
 * one consumer of Kafka's Java client in this process. The producer sends `--rate` records per
 * second for `--warmup-seconds` plus `--seconds`, each record's value carrying its sequence
 * number and the time it was due (System.nanoTime of this process); the consumer, assigned every
 * partition of the topic at its end before the first send, notes when each record comes back
 * from poll(). Latency = arrival − due time, so a producer that falls behind shows as latency
 * (no coordinated omission). Records of the warm-up are not counted.
 *
 * <p>Clients: their defaults except acks (`--acks`, 1 unless told), linger.ms=0 (the producer's
 * default is 5 ms, which would hide the broker behind batching delay) and the (de)serializers;
 * the consumer uses no group (assign), so fetch.min.bytes=1 and fetch.max.wait.ms=500 (its
 * defaults) make every fetch return as soon as a record is there.
 *
 * <pre>java -cp … dev.samsa.peers.EndToEndLatency --bootstrap HOST:PORT --topic T [--rate 10000] [--seconds 30] [--warmup-seconds 5] [--record-size 100] [--acks 1]</pre>
 *
 * Prints one JSON line: {"sent", "measured", "received", "p50Ms", "p99Ms", "p999Ms", "maxMs",
 * "meanMs", "sendErrors", "lateSends"}; exits 1 when records were lost.
 */
public final class EndToEndLatency {
  private EndToEndLatency() {}

  public static void main(String[] args) throws Exception {
    String bootstrap = null;
    String topic = null;
    int rate = 10_000;
    int seconds = 30;
    int warmupSeconds = 5;
    int recordSize = 100;
    String acks = "1";
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      String v = i + 1 < args.length ? args[i + 1] : null;
      switch (a) {
        case "--bootstrap" -> bootstrap = v;
        case "--topic" -> topic = v;
        case "--rate" -> rate = Integer.parseInt(v);
        case "--seconds" -> seconds = Integer.parseInt(v);
        case "--warmup-seconds" -> warmupSeconds = Integer.parseInt(v);
        case "--record-size" -> recordSize = Integer.parseInt(v);
        case "--acks" -> acks = v;
        default -> throw new IllegalArgumentException("unknown argument " + a);
      }
      i++;
    }
    if (bootstrap == null || topic == null) throw new IllegalArgumentException("--bootstrap and --topic are required");
    if (recordSize < 16) throw new IllegalArgumentException("--record-size must be at least 16");

    Properties pp = new Properties();
    pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    pp.put(ProducerConfig.ACKS_CONFIG, acks);
    pp.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    pp.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    pp.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
    Properties cp = new Properties();
    cp.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    cp.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    cp.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());

    final long total = (long) rate * (warmupSeconds + seconds);
    final long warmup = (long) rate * warmupSeconds;
    final long[] latencyNs = new long[(int) (total - warmup)];
    final boolean[] seen = new boolean[(int) total];
    final AtomicLong sendErrors = new AtomicLong();
    final AtomicReference<Exception> firstSendError = new AtomicReference<>();
    long measured = 0;
    long received = 0;
    long lateSends = 0;

    try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(pp);
        KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(cp)) {
      List<TopicPartition> tps = new ArrayList<>();
      for (PartitionInfo p : producer.partitionsFor(topic)) tps.add(new TopicPartition(topic, p.partition()));
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      for (TopicPartition tp : tps) consumer.position(tp); // resolve the end offsets before the first send

      final String name = topic;
      final int size = recordSize;
      final int perSecond = rate;
      final long[] late = new long[1];
      Thread sender =
          new Thread(
              () -> {
                long intervalNs = 1_000_000_000L / perSecond;
                long start = System.nanoTime() + 50_000_000L;
                for (long seq = 0; seq < total; seq++) {
                  long due = start + seq * intervalNs;
                  long now;
                  while ((now = System.nanoTime()) < due) LockSupport.parkNanos(due - now);
                  if (now - due > 1_000_000L) late[0]++;
                  byte[] value = new byte[size];
                  ByteBuffer.wrap(value).putLong(seq).putLong(due);
                  producer.send(
                      new ProducerRecord<>(name, value),
                      (md, e) -> {
                        if (e != null) {
                          sendErrors.incrementAndGet();
                          firstSendError.compareAndSet(null, e);
                        }
                      });
                }
                producer.flush();
              },
              "latency-sender");
      sender.start();

      long deadline = Long.MAX_VALUE;
      while (received < total) {
        ConsumerRecords<byte[], byte[]> records = consumer.poll(Duration.ofMillis(100));
        long now = System.nanoTime();
        for (ConsumerRecord<byte[], byte[]> r : records) {
          ByteBuffer b = ByteBuffer.wrap(r.value());
          long seq = b.getLong();
          long due = b.getLong();
          if (seq < 0 || seq >= total || seen[(int) seq]) continue;
          seen[(int) seq] = true;
          received++;
          if (seq >= warmup) latencyNs[(int) measured++] = now - due;
        }
        if (!sender.isAlive() && deadline == Long.MAX_VALUE) deadline = now + 10_000_000_000L;
        if (now > deadline) break;
      }
      sender.join();
      lateSends = late[0];
    }

    long[] l = Arrays.copyOf(latencyNs, (int) measured);
    Arrays.sort(l);
    double sum = 0;
    for (long x : l) sum += x;
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("sent", total);
    out.put("measured", measured);
    out.put("received", received);
    out.put("p50Ms", ms(pct(l, 0.50)));
    out.put("p99Ms", ms(pct(l, 0.99)));
    out.put("p999Ms", ms(pct(l, 0.999)));
    out.put("maxMs", ms(l.length == 0 ? -1 : l[l.length - 1]));
    out.put("meanMs", ms(l.length == 0 ? -1 : (long) (sum / l.length)));
    out.put("sendErrors", sendErrors.get());
    out.put("lateSends", lateSends);
    Exception e = firstSendError.get();
    out.put("error", e == null ? null : e.toString());
    System.out.println(Json.write(out));
    System.exit(received == total && sendErrors.get() == 0 ? 0 : 1);
  }

  /** The nearest-rank percentile of sorted values. */
  private static long pct(long[] sorted, double p) {
    if (sorted.length == 0) return -1;
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }

  private static Double ms(long ns) {
    return ns < 0 ? null : Math.round(ns / 1e3) / 1e3;
  }
}
