import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

// Test projects (see test/README.md): `npx vitest run --project <name>`.
export default defineConfig({
  // Component tests import .vue files (they pick a DOM per file with `// @vitest-environment happy-dom`; the rest run in node).
  plugins: [vue()],
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    projects: [
      // No sockets, no processes: codecs, storage on files, stores and components with a fake bridge.
      { extends: true, test: { name: 'unit', include: ['test/unit/**/*.test.ts'] } },
      // In-process brokers, controllers and the console service, over real loopback sockets.
      { extends: true, test: { name: 'broker', include: ['test/broker/**/*.test.ts'] } },
      // Real processes (samsa start, crash children) and real clients (kcat, librdkafka, kafkajs, …).
      { extends: true, test: { name: 'integration', include: ['test/integration/**/*.test.ts'] } },
      {
        extends: true,
        test: {
          // Real Apache Kafka, the Java client, Kafka's tools, franz-go and the PyPI clients, beside Samsa.
          name: 'peers',
          include: ['test/peers/**/*.test.ts'],
          testTimeout: 300_000,
          hookTimeout: 180_000,
        },
      },
    ],
  },
});
