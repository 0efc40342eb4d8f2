package dev.samsa.peers;

import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Node;
import org.apache.kafka.common.utils.internals.AppInfoParser;

/**
 * Runs named scenarios with Kafka's Java client, Admin client and Kafka Streams against one
 * cluster and prints one JSON line per scenario on stdout:
 *
 * <pre>{"scenario": name, "ok": bool, "ms": wall time, "detail": {..., "compare": {...}, "timings": [...]}, "error": text or null}</pre>
 *
 * preceded by one line {"client": "java", "version": the client's version, "brokers": [ids]}.
 *
 * <pre>java -cp … dev.samsa.peers.JavaClientScenarios --bootstrap HOST:PORT[,…] [--brokers N] [--parallel N] SCENARIO…</pre>
 *
 * Every client runs with its defaults: bootstrap.servers, (de)serializers and group.id where a
 * group is used. Where a scenario must change a default, the scenario says why. Scenarios marked
 * background (Kafka Streams, which mostly waits for its commit interval) run beside the others,
 * which run `--parallel` (3) at a time.
 */
public final class JavaClientScenarios {
  /** One scenario: its body, the longest it may take, whether it runs beside the others. */
  record Scenario(Body body, long timeoutMs, boolean background) {}

  @FunctionalInterface
  interface Body {
    void run(Ctx c) throws Exception;
  }

  static final Map<String, Scenario> SCENARIOS = new LinkedHashMap<>();

  static void register(String name, Body body) {
    SCENARIOS.put(name, new Scenario(body, 120_000, false));
  }

  static void register(String name, long timeoutMs, boolean background, Body body) {
    SCENARIOS.put(name, new Scenario(body, timeoutMs, background));
  }

  static {
    ProducerScenarios.register();
    ConsumerScenarios.register();
    AdminScenarios.register();
    StreamsScenario.register();
  }

  private static final PrintStream OUT = new PrintStream(new java.io.FileOutputStream(java.io.FileDescriptor.out), true,
      StandardCharsets.UTF_8);

  static synchronized void emit(Map<String, Object> line) {
    OUT.println(Json.write(line));
    OUT.flush();
  }

  /** An exception as text: class and message of it and of each cause (ExecutionException unwrapped). */
  static String describe(Throwable t) {
    StringBuilder sb = new StringBuilder();
    Throwable e = t;
    int depth = 0;
    while (e != null && depth++ < 6) {
      if (!(e instanceof ExecutionException) || e.getCause() == null) {
        if (sb.length() > 0) sb.append(" <- ");
        sb.append(e.getClass().getName()).append(": ").append(e.getMessage());
      }
      e = e.getCause();
    }
    return sb.toString();
  }

  /** The innermost meaningful exception: unwraps ExecutionException and Kafka's wrappers. */
  static Throwable root(Throwable t) {
    Throwable e = t;
    while ((e instanceof ExecutionException || e instanceof java.util.concurrent.CompletionException
        || e.getClass() == org.apache.kafka.common.KafkaException.class) && e.getCause() != null)
      e = e.getCause();
    return e;
  }

  public static void main(String[] args) throws Exception {
    String bootstrap = null;
    int expectBrokers = 1;
    int parallel = 3;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--bootstrap" -> bootstrap = args[++i];
        case "--brokers" -> expectBrokers = Integer.parseInt(args[++i]);
        case "--parallel" -> parallel = Integer.parseInt(args[++i]);
        case "--list" -> {
          SCENARIOS.keySet().forEach(OUT::println);
          return;
        }
        default -> names.add(args[i]);
      }
    }
    if (bootstrap == null) {
      System.err.println("usage: JavaClientScenarios --bootstrap HOST:PORT[,…] [--brokers N] [--parallel N] SCENARIO… | --list");
      System.exit(2);
    }
    if (names.isEmpty()) names.addAll(SCENARIOS.keySet());
    final String target = bootstrap;

    Properties ap = new Properties();
    ap.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    Admin admin = Admin.create(ap);
    List<Integer> ids = new ArrayList<>();
    {
      // The cluster as the Admin client sees it; a target must list every broker it started.
      long deadline = System.currentTimeMillis() + 60_000;
      for (;;) {
        ids.clear();
        for (Node n : admin.describeCluster().nodes().get(30, TimeUnit.SECONDS)) ids.add(n.id());
        if (ids.size() >= expectBrokers || System.currentTimeMillis() > deadline) break;
        Thread.sleep(100);
      }
      ids.sort(null);
    }
    Map<String, Object> hello = new LinkedHashMap<>();
    hello.put("client", "java");
    hello.put("version", AppInfoParser.getVersion());
    hello.put("brokers", ids);
    emit(hello);

    ExecutorService pool = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r);
      t.setDaemon(true);
      return t;
    });
    List<Thread> background = new ArrayList<>();
    List<String> foreground = new ArrayList<>();
    for (String name : names) {
      Scenario s = SCENARIOS.get(name);
      if (s != null && s.background()) {
        Thread t = new Thread(() -> runOne(pool, name, s, target, ids, admin), name);
        t.start();
        background.add(t);
      } else {
        foreground.add(name);
      }
    }
    // The scenarios are independent (each has its own topics and groups) and mostly wait on the
    // cluster (rebalances, lingers, polls): `parallel` of them run at a time, in the order given.
    java.util.concurrent.ConcurrentLinkedQueue<String> queue = new java.util.concurrent.ConcurrentLinkedQueue<>(foreground);
    List<Thread> workers = new ArrayList<>();
    for (int w = 0; w < parallel; w++) {
      Thread t = new Thread(() -> {
        for (String name; (name = queue.poll()) != null;) runOne(pool, name, SCENARIOS.get(name), target, ids, admin);
      }, "worker-" + w);
      t.start();
      workers.add(t);
    }
    for (Thread t : workers) t.join();
    for (Thread t : background) t.join();
    admin.close(Duration.ofSeconds(5));
    // Threads of a scenario that timed out may still hang in a client: do not wait for them.
    System.exit(0);
  }

  static void runOne(ExecutorService pool, String name, Scenario s, String bootstrap, List<Integer> ids, Admin admin) {
    Map<String, Object> line = new LinkedHashMap<>();
    line.put("scenario", name);
    if (s == null) {
      line.put("ok", false);
      line.put("detail", Map.of());
      line.put("error", "unknown scenario " + name + "; known: " + String.join(", ", SCENARIOS.keySet()));
      emit(line);
      return;
    }
    Ctx c = new Ctx(bootstrap, ids, admin, name);
    long t0 = System.nanoTime();
    String error = null;
    Future<?> f = pool.submit(() -> {
      s.body().run(c);
      return null;
    });
    try {
      f.get(s.timeoutMs(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      f.cancel(true);
      error = "timed out after " + s.timeoutMs() + " ms";
    } catch (ExecutionException e) {
      error = describe(e.getCause());
    } catch (InterruptedException e) {
      error = "interrupted";
    }
    line.put("ok", error == null);
    line.put("ms", (System.nanoTime() - t0) / 1_000_000);
    Map<String, Object> detail = new LinkedHashMap<>();
    synchronized (c.detail) {
      detail.putAll(c.detail);
    }
    synchronized (c.compare) {
      detail.put("compare", new LinkedHashMap<>(c.compare));
    }
    synchronized (c.timings) {
      detail.put("timings", new ArrayList<>(c.timings));
    }
    line.put("detail", detail);
    line.put("error", error);
    emit(line);
  }
}
