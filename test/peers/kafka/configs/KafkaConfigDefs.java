// Prints, as JSON, what real Kafka's own runtime knows of its broker and topic configs: every
// ConfigDef key of KafkaConfig, of the dynamic broker configs (DynamicConfig.Broker, which adds
// the replication quotas) and of LogConfig (topics), with its type, default as Kafka prints it
// (ConfigDef.convertToString), documentation, internal flag and validator (read through
// reflection: Range bounds, the valid strings of ValidString / CaseInsensitiveValidString /
// ValidList, a description of the others); for broker configs the dynamic update mode
// (DynamicBrokerConfig.dynamicConfigUpdateModes: per-broker, cluster-wide, or absent for
// read-only) and the synonyms (DynamicBrokerConfig.brokerConfigSynonyms); for topic configs the
// broker configs they fall back to (ServerTopicConfigSynonyms, with the unit conversion); the
// security configs that can only be set per listener; the order in which Kafka checks the
// values of dynamic broker configs (DynamicConfig.Broker's definition order); the group configs
// (GroupConfig, KIP-848) with the broker configs they fall back to; and "probes": sample values run
// through Kafka's own parsing and validation (ConfigDef.parseType, then the validator; for group
// configs GroupConfig.validate against a default broker's group coordinator bounds), with the
// message Kafka refuses each with, so Samsa's validation can be checked against them.
//
// Run by generate.ts (next to it) with Kafka's classpath: java -cp <classpath> KafkaConfigDefs.java
import java.lang.reflect.Field;
import java.util.*;
import org.apache.kafka.common.config.ConfigDef;
import org.apache.kafka.coordinator.group.GroupConfig;
import org.apache.kafka.server.config.ConfigSynonym;
import org.apache.kafka.server.config.DynamicBrokerConfig;
import org.apache.kafka.server.config.DynamicConfig;
import org.apache.kafka.server.config.ServerTopicConfigSynonyms;
import org.apache.kafka.storage.internals.log.LogConfig;

public class KafkaConfigDefs {
  static Object field(Object o, String name) {
    for (Class<?> c = o.getClass(); c != null; c = c.getSuperclass()) {
      try {
        Field f = c.getDeclaredField(name);
        f.setAccessible(true);
        return f.get(o);
      } catch (NoSuchFieldException e) {
        // the superclass may have it
      } catch (IllegalAccessException e) {
        throw new RuntimeException(e);
      }
    }
    return null;
  }

  static String q(String s) {
    if (s == null) return "null";
    StringBuilder b = new StringBuilder("\"");
    for (char ch : s.toCharArray()) {
      switch (ch) {
        case '"' -> b.append("\\\"");
        case '\\' -> b.append("\\\\");
        case '\n' -> b.append("\\n");
        case '\r' -> b.append("\\r");
        case '\t' -> b.append("\\t");
        default -> {
          if (ch < 0x20 || ch > 0x7e) b.append(String.format("\\u%04x", (int) ch));
          else b.append(ch);
        }
      }
    }
    return b.append('"').toString();
  }

  static String list(Collection<?> l) {
    StringBuilder b = new StringBuilder("[");
    int i = 0;
    for (Object s : l) b.append(i++ > 0 ? "," : "").append(q(String.valueOf(s)));
    return b.append("]").toString();
  }

  @SuppressWarnings("unchecked")
  static String validator(ConfigDef.Validator v) {
    if (v == null) return "null";
    String desc = ",\"description\":" + q(String.valueOf(v)) + "}";
    if (v instanceof ConfigDef.Range) {
      Object min = field(v, "min"), max = field(v, "max");
      return "{\"kind\":\"range\",\"min\":" + (min == null ? "null" : q(min.toString())) + ",\"max\":"
          + (max == null ? "null" : q(max.toString())) + desc;
    }
    if (v instanceof ConfigDef.ValidString) {
      return "{\"kind\":\"in\",\"values\":" + list((List<String>) field(v, "validStrings")) + desc;
    }
    if (v instanceof ConfigDef.CaseInsensitiveValidString) {
      return "{\"kind\":\"inIgnoreCase\",\"values\":" + list((Set<String>) field(v, "validStrings")) + desc;
    }
    if (v instanceof ConfigDef.ValidList) {
      Object vs = field(v, "validString");
      List<String> l = vs == null ? null : (List<String>) field(vs, "validStrings");
      return "{\"kind\":\"list\",\"values\":" + (l == null ? "null" : list(l)) + ",\"emptyAllowed\":"
          + field(v, "isEmptyAllowed") + ",\"nullAllowed\":" + field(v, "isNullAllowed") + desc;
    }
    if (v instanceof ConfigDef.CompositeValidator) {
      List<ConfigDef.Validator> l = (List<ConfigDef.Validator>) field(v, "validators");
      StringBuilder b = new StringBuilder("{\"kind\":\"all\",\"of\":[");
      for (int i = 0; i < l.size(); i++) b.append(i > 0 ? "," : "").append(validator(l.get(i)));
      return b.append("]").append(desc).toString();
    }
    if (v instanceof ConfigDef.ListSize) return "{\"kind\":\"listSize\",\"max\":" + field(v, "maxSize") + desc;
    return "{\"kind\":\"other\",\"class\":" + q(v.getClass().getName()) + desc;
  }

  static String key(ConfigDef.ConfigKey k, String extra) {
    boolean has = k.defaultValue != ConfigDef.NO_DEFAULT_VALUE;
    String dflt = has ? q(ConfigDef.convertToString(k.defaultValue, k.type)) : "null";
    return "{\"name\":" + q(k.name) + ",\"type\":" + q(k.type.name()) + ",\"hasDefault\":" + has + ",\"default\":"
        + dflt + ",\"internal\":" + k.internalConfig + ",\"validator\":" + validator(k.validator) + extra
        + ",\"documentation\":" + q(k.documentation) + "}";
  }

  /** Sample values for a config: malformed ones, and each side of its bounds and valid strings. */
  static List<String> samples(ConfigDef.ConfigKey k) {
    List<String> out = new ArrayList<>(List.of("abc", "", " 1 "));
    List<String> valid = new ArrayList<>();
    collectStrings(k.validator, valid);
    switch (k.type) {
      case BOOLEAN -> out.addAll(List.of("true", "FALSE", "yes", "1"));
      case SHORT, INT, LONG -> {
        out.addAll(List.of("1.5", "-1", "0", "+3", "2147483648", "-9223372036854775809", "32768", "0x10"));
        for (String b : bounds(k.validator)) {
          long n = Long.parseLong(b);
          out.addAll(List.of(String.valueOf(n - 1), String.valueOf(n), String.valueOf(n + 1)));
        }
      }
      case DOUBLE -> {
        out.addAll(List.of("1.5", "-0.5", "NaN", "Infinity", "1e3", "1d", "2", "0"));
        for (String b : bounds(k.validator)) {
          double n = Double.parseDouble(b);
          out.addAll(List.of(String.valueOf(n - 0.5), String.valueOf(n), String.valueOf(n + 0.5)));
        }
      }
      case STRING, LIST -> {
        out.addAll(List.of("bogus", "a,b"));
        for (String s : valid) {
          out.addAll(List.of(s, s.toUpperCase(Locale.ROOT), s.toLowerCase(Locale.ROOT), " " + s + " ", s + "," + s, s + ",bogus"));
        }
        if (valid.size() > 1) out.add(valid.get(1) + ", " + valid.get(0));
        if (k.type == ConfigDef.Type.LIST) out.addAll(List.of(",", "a,,b", "*", "0:1,1:2", "*,0:1", "0:x"));
      }
      default -> out.clear(); // CLASS and PASSWORD: Samsa cannot load Java classes; passwords take anything
    }
    return new ArrayList<>(new LinkedHashSet<>(out));
  }

  @SuppressWarnings("unchecked")
  static void collectStrings(ConfigDef.Validator v, List<String> out) {
    if (v instanceof ConfigDef.ValidString) out.addAll((List<String>) field(v, "validStrings"));
    else if (v instanceof ConfigDef.CaseInsensitiveValidString) out.addAll((Set<String>) field(v, "validStrings"));
    else if (v instanceof ConfigDef.ValidList) {
      Object vs = field(v, "validString");
      if (vs != null) out.addAll((List<String>) field(vs, "validStrings"));
    } else if (v instanceof ConfigDef.CompositeValidator) {
      for (ConfigDef.Validator x : (List<ConfigDef.Validator>) field(v, "validators")) collectStrings(x, out);
    }
  }

  @SuppressWarnings("unchecked")
  static List<String> bounds(ConfigDef.Validator v) {
    List<String> out = new ArrayList<>();
    if (v instanceof ConfigDef.Range) {
      for (String f : List.of("min", "max")) {
        Object b = field(v, f);
        if (b != null && !(b instanceof Double && ((Double) b).isInfinite())) {
          String s = b.toString();
          if (b instanceof Long && (((Long) b) == Long.MAX_VALUE || ((Long) b) == Long.MIN_VALUE)) continue;
          out.add(s);
        }
      }
    } else if (v instanceof ConfigDef.CompositeValidator) {
      for (ConfigDef.Validator x : (List<ConfigDef.Validator>) field(v, "validators")) out.addAll(bounds(x));
    } else if (v != null && String.valueOf(v).equals("[1,...,9] or -1")) {
      out.addAll(List.of("1", "9", "-1"));
    }
    return out;
  }

  /** Kafka's verdict on one value: null when accepted, else the ConfigException's message. */
  static String verdict(ConfigDef.ConfigKey k, String value) {
    try {
      Object parsed = ConfigDef.parseType(k.name, value, k.type);
      if (k.validator != null) k.validator.ensureValid(k.name, parsed);
      return null;
    } catch (Exception e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  static void probes(StringBuilder out, String scope, Collection<ConfigDef.ConfigKey> keys, boolean[] first) {
    for (ConfigDef.ConfigKey k : keys) {
      for (String v : samples(k)) {
        out.append(first[0] ? "" : ",\n").append("[").append(q(scope)).append(",").append(q(k.name)).append(",")
            .append(q(v)).append(",").append(q(verdict(k, v))).append("]");
        first[0] = false;
      }
    }
  }

  /** Kafka's verdict on one group config value: GroupConfig.validate against a default broker's bounds. */
  static String groupVerdict(kafka.server.KafkaConfig broker, String name, String value) {
    try {
      GroupConfig.validate(Map.of(name, value), broker.groupCoordinatorConfig(), broker.shareGroupConfig());
      return null;
    } catch (Exception e) {
      return e.getClass().getSimpleName() + ": " + e.getMessage();
    }
  }

  /** A broker as Kafka's defaults make it (the group bounds come from there). */
  static kafka.server.KafkaConfig defaultBroker() {
    Properties p = new Properties();
    p.put("process.roles", "broker");
    p.put("node.id", "1");
    p.put("controller.quorum.bootstrap.servers", "localhost:9093");
    p.put("controller.listener.names", "CONTROLLER");
    p.put("listeners", "PLAINTEXT://:9092");
    return kafka.server.KafkaConfig.fromProps(p);
  }

  public static void main(String[] args) {
    // In definition order: Kafka parses and validates a set of values in this order.
    Map<String, ConfigDef.ConfigKey> broker = new LinkedHashMap<>(kafka.server.KafkaConfig$.MODULE$.configDef().configKeys());
    Map<String, ConfigDef.ConfigKey> dynamic = new LinkedHashMap<>(DynamicConfig.Broker.configKeys());
    Map<String, ConfigDef.ConfigKey> topic = new LinkedHashMap<>(LogConfig.configKeys());
    Map<String, String> modes = DynamicBrokerConfig.dynamicConfigUpdateModes();
    StringBuilder out = new StringBuilder("{\n\"broker\":[\n");
    int i = 0;
    for (ConfigDef.ConfigKey k : broker.values()) {
      String extra = ",\"mode\":" + q(modes.get(k.name)) + ",\"synonyms\":"
          + list(DynamicBrokerConfig.brokerConfigSynonyms(k.name, false));
      out.append(i++ > 0 ? ",\n" : "").append(key(k, extra));
    }
    out.append("\n],\n\"dynamicOnly\":[\n");
    i = 0;
    for (ConfigDef.ConfigKey k : dynamic.values()) {
      if (broker.containsKey(k.name)) continue;
      out.append(i++ > 0 ? ",\n" : "").append(key(k, ",\"mode\":" + q(modes.get(k.name)) + ",\"synonyms\":" + list(List.of(k.name))));
    }
    out.append("\n],\n\"topic\":[\n");
    i = 0;
    for (ConfigDef.ConfigKey k : topic.values()) {
      StringBuilder s = new StringBuilder("[");
      int j = 0;
      for (ConfigSynonym cs : ServerTopicConfigSynonyms.ALL_TOPIC_CONFIG_SYNONYMS.getOrDefault(k.name, List.of())) {
        String scale = cs.converter() == ConfigSynonym.HOURS_TO_MILLISECONDS ? "3600000"
            : cs.converter() == ConfigSynonym.MINUTES_TO_MILLISECONDS ? "60000" : "1";
        s.append(j++ > 0 ? "," : "").append("{\"name\":").append(q(cs.name())).append(",\"scale\":").append(scale).append("}");
      }
      out.append(i++ > 0 ? ",\n" : "").append(key(k, ",\"synonyms\":" + s.append("]")));
    }
    out.append("\n],\n\"group\":[\n");
    i = 0;
    for (ConfigDef.ConfigKey k : GroupConfig.CONFIG_DEF.configKeys().values()) {
      String syn = GroupConfig.brokerSynonym(k.name).orElse(null);
      String extra = ",\"synonyms\":" + list(syn == null ? List.of() : List.of(syn)) + ",\"groupInternal\":"
          + GroupConfig.isInternal(k.name);
      out.append(i++ > 0 ? ",\n" : "").append(key(k, extra));
    }
    out.append("\n],\n\"dynamicOrder\":").append(list(dynamic.keySet()));
    out.append(",\n\"perListenerOnly\":").append(list(new TreeSet<>(DynamicBrokerConfig.DYNAMIC_SECURITY_CONFIGS)));
    out.append(",\n\"probes\":[\n");
    boolean[] first = {true};
    probes(out, "broker", broker.values(), first);
    List<ConfigDef.ConfigKey> dynamicOnly = new ArrayList<>();
    for (ConfigDef.ConfigKey k : dynamic.values()) if (!broker.containsKey(k.name)) dynamicOnly.add(k);
    probes(out, "broker", dynamicOnly, first);
    probes(out, "topic", topic.values(), first);
    kafka.server.KafkaConfig dflt = defaultBroker();
    for (ConfigDef.ConfigKey k : GroupConfig.CONFIG_DEF.configKeys().values()) {
      List<String> values = samples(k);
      // The broker bounds of the interval and timeout configs, each side of them.
      if (k.type == ConfigDef.Type.STRING) {
        values.addAll(List.of("earliest", "latest", "EARLIEST", "by_duration:PT1H", "by_duration:P1DT2H3M4.5S",
            "by_duration:-PT1H", "by_duration:", "by_duration:abc", "read_committed", "sticky", "STICKY"));
      }
      if (k.type == ConfigDef.Type.INT) {
        values.addAll(List.of("1", "999", "1000", "1001", "4999", "5000", "5001", "9999", "10000", "44999", "45000",
            "45001", "59999", "60000", "60001", "299999", "300000", "300001", "1799999", "1800000", "3600000", "3600001", "2", "9", "10", "11", "99", "100", "101", "1999", "2000", "2001", "2147483647"));
      }
      for (String v : new LinkedHashSet<>(values)) {
        out.append(",\n[\"group\",").append(q(k.name)).append(",").append(q(v)).append(",")
            .append(q(groupVerdict(dflt, k.name, v))).append("]");
      }
    }
    out.append("\n]\n}\n");
    System.out.print(out);
  }
}
