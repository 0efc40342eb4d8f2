// `samsa console-producer`: kafka-console-producer.sh — one record per line of stdin (or a file).
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { describeFailure } from '../../client/errors.ts';
import { clientOptions } from '../../client/options.ts';
import { UsageError } from '../args.ts';
import {
  all,
  BOOTSTRAP_OPTION,
  bootstrapOf,
  closeAll,
  HELP_OPTION,
  one,
  parseKeyValues,
  parseToolArgs,
  required,
  runTool,
  type Tool,
} from './common.ts';

const CODECS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
type Codec = (typeof CODECS)[number];

const TOOL: Tool = {
  name: 'console-producer',
  summary:
    'Reads lines from standard input (or --input-file) and produces each as a record (like kafka-console-producer.sh).',
  spec: {
    'bootstrap-server': BOOTSTRAP_OPTION,
    'broker-list': { value: true, arg: 'HOST:PORT[,...]', description: 'Old name of --bootstrap-server' },
    topic: { value: true, arg: 'TOPIC', description: 'The topic to produce to (required)' },
    property: {
      value: true,
      repeat: true,
      arg: 'KEY=VALUE',
      description:
        'Line reader properties: parse.key, key.separator, parse.headers, headers.delimiter, headers.separator, headers.key.separator, null.marker, ignore.error',
    },
    'producer-property': {
      value: true,
      repeat: true,
      arg: 'KEY=VALUE',
      description: 'Producer configs: acks, compression.type, client.id (others are accepted and ignored)',
    },
    'compression-codec': { value: true, arg: 'CODEC', description: `Compression: ${CODECS.join(', ')} (default none)` },
    'request-required-acks': {
      value: true,
      arg: 'ACKS',
      description: 'Acknowledgements required: -1/all, 0 or 1 (default -1)',
    },
    sync: { description: 'Send each record on its own and wait for it to be acknowledged' },
    'input-file': {
      value: true,
      arg: 'FILE',
      description: 'Read lines from FILE instead of standard input (a Samsa addition)',
    },
    help: HELP_OPTION,
  },
  notes: [
    'Example:',
    '  samsa console-producer --topic quickstart-events --bootstrap-server localhost:9092',
    '  samsa console-producer --topic t --property parse.key=true --property key.separator=: < lines.txt',
  ].join('\n'),
};

interface ReaderConfig {
  parseKey: boolean;
  keySeparator: string;
  parseHeaders: boolean;
  headersDelimiter: string;
  headersSeparator: string;
  headersKeySeparator: string;
  nullMarker: string | undefined;
  ignoreError: boolean;
}

function readerConfig(props: Map<string, string>): ReaderConfig {
  const bool = (k: string) => (props.get(k) ?? 'false').toLowerCase() === 'true';
  return {
    parseKey: bool('parse.key'),
    keySeparator: props.get('key.separator') ?? '\t',
    parseHeaders: bool('parse.headers'),
    headersDelimiter: props.get('headers.delimiter') ?? '\t',
    headersSeparator: props.get('headers.separator') ?? ',',
    headersKeySeparator: props.get('headers.key.separator') ?? ':',
    nullMarker: props.get('null.marker'),
    ignoreError: bool('ignore.error'),
  };
}

interface LineRecord {
  key?: Buffer;
  value?: Buffer;
  headers?: Map<Buffer, Buffer>;
}

/** Splits a line the way Kafka's LineMessageReader does: [headers<delim>][key<sep>]value. */
export function parseLine(line: string, c: ReaderConfig, lineNo: number): LineRecord | string {
  let rest = line;
  const rec: LineRecord = {};
  const asBytes = (s: string) => (c.nullMarker !== undefined && s === c.nullMarker ? undefined : Buffer.from(s));
  if (c.parseHeaders) {
    const i = rest.indexOf(c.headersDelimiter);
    if (i === -1) {
      if (!c.ignoreError) return `No headers delimiter found on line number ${lineNo}: '${line}'`;
    } else {
      const text = rest.slice(0, i);
      rest = rest.slice(i + c.headersDelimiter.length);
      if (text !== '' && text !== c.nullMarker) {
        rec.headers = new Map();
        for (const h of text.split(c.headersSeparator)) {
          const j = h.indexOf(c.headersKeySeparator);
          const k = j === -1 ? h : h.slice(0, j);
          const v = j === -1 ? '' : h.slice(j + c.headersKeySeparator.length);
          rec.headers.set(Buffer.from(k), asBytes(v) ?? Buffer.alloc(0));
        }
      }
    }
  }
  if (c.parseKey) {
    const i = rest.indexOf(c.keySeparator);
    if (i === -1) {
      if (!c.ignoreError) return `No key separator found on line number ${lineNo}: '${line}'`;
      rec.value = asBytes(rest);
      return rec;
    }
    rec.key = asBytes(rest.slice(0, i));
    rest = rest.slice(i + c.keySeparator.length);
  }
  rec.value = asBytes(rest);
  return rec;
}

function parseAcks(v: string): number {
  if (v === 'all' || v === '-1') return -1;
  if (v === '0' || v === '1') return Number(v);
  throw new UsageError(`acks must be one of all, -1, 0, 1; got "${v}"`);
}

export async function consoleProducer(argv: string[]): Promise<number> {
  const args = parseToolArgs(TOOL, argv);
  if (!args) return 0;
  const topic = required(args, 'topic');
  const bootstrap = bootstrapOf(args, ['broker-list']);
  const reader = readerConfig(parseKeyValues(all(args, 'property'), 'property'));
  const props = parseKeyValues(all(args, 'producer-property'), 'producer-property');
  const codec = (one(args, 'compression-codec') ?? props.get('compression.type') ?? 'none') as Codec;
  if (!CODECS.includes(codec))
    throw new UsageError(`unknown compression codec "${codec}" (one of ${CODECS.join(', ')})`);
  const acks = parseAcks(one(args, 'request-required-acks') ?? props.get('acks') ?? '-1');
  const sync = args.flags.has('sync');
  const file = one(args, 'input-file');

  const { Producer } = await import('@platformatic/kafka');
  return runTool(
    'console-producer',
    () => bootstrap,
    async () => {
      const producer = new Producer({
        ...clientOptions(bootstrap, props.get('client.id') ?? 'console-producer'),
        acks,
        compression: codec,
        autocreateTopics: true,
      });
      // Fail fast (and with the address) when the broker is not there, before reading input.
      try {
        await producer.metadata({ topics: [topic], autocreateTopics: true });
      } catch (e) {
        await closeAll(producer);
        throw e;
      }
      const input = file !== undefined ? createReadStream(file) : process.stdin;
      let inputError: Error | undefined;
      input.on('error', (e: Error) => {
        inputError = e;
      });
      const lines = createInterface({ input, crlfDelay: Infinity, terminal: false });
      const prompt = file === undefined && process.stdin.isTTY === true;
      if (prompt) process.stdout.write('>');

      let failure: unknown;
      let batch: LineRecord[] = [];
      const inFlight = new Set<Promise<void>>();
      const flush = () => {
        if (batch.length === 0) return;
        const messages = batch.map((r) => ({ topic, key: r.key, value: r.value, headers: r.headers }));
        batch = [];
        const p = producer
          .send({ messages: messages as never })
          .then(
            () => undefined,
            (e: unknown) => {
              failure ??= e;
            },
          )
          .finally(() => inFlight.delete(p));
        inFlight.add(p);
        return p;
      };
      let lineNo = 0;
      let badLine: string | undefined;
      for await (const line of lines) {
        lineNo++;
        const rec = parseLine(line, reader, lineNo);
        if (typeof rec === 'string') {
          badLine = rec;
          break;
        }
        batch.push(rec);
        if (sync) await flush();
        else if (batch.length >= 500) flush();
        if (inFlight.size >= 16) await Promise.race(inFlight);
        if (failure) break;
        if (prompt) process.stdout.write('>');
      }
      flush();
      await Promise.all(inFlight);
      await closeAll(producer);
      if (inputError) {
        console.error(`samsa console-producer: cannot read ${file ?? 'standard input'}: ${inputError.message}`);
        return 1;
      }
      if (badLine) {
        console.error(`samsa console-producer: ${badLine}`);
        return 1;
      }
      if (failure) {
        console.error(
          `samsa console-producer: Error when sending message to topic ${topic}: ${describeFailure(failure, bootstrap)}`,
        );
        return 1;
      }
      return 0;
    },
  );
}
