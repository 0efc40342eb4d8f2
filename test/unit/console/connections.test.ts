// Console connections: input checks, the SASL/TLS options handed to the client, the settings file
// (mode 0600, passwords only when remembered), and readable connection failures.
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ConnectionError,
  ConnectionStore,
  LOCAL_ID,
  checkConnectionInput,
  connectionFailure,
  securityOptions,
} from '../../../core/console/connection-store.ts';
import { planReplicas } from '../../../core/console/reassignments.ts';

const PEM = '-----BEGIN CERTIFICATE-----\nMIIBszCCAVmgAwIBAgIU\n-----END CERTIFICATE-----';

function thrown(f: () => unknown): ConnectionError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(ConnectionError);
    return e as ConnectionError;
  }
  throw new Error('expected a ConnectionError');
}

describe('connection input', () => {
  it('checks name, bootstrap servers, SASL and the CA, naming the field', () => {
    expect(thrown(() => checkConnectionInput({ name: ' ', bootstrap: 'a:1' })).field).toBe('name');
    expect(thrown(() => checkConnectionInput({ name: 'x', bootstrap: 'nohost' })).field).toBe('bootstrap');
    expect(thrown(() => checkConnectionInput({ name: 'x', bootstrap: 'a:99999' })).message).toMatch(/HOST:PORT/);
    expect(
      thrown(() => checkConnectionInput({ name: 'x', bootstrap: 'a:1', sasl: { mechanism: 'GSSAPI', username: 'u' } }))
        .field,
    ).toBe('mechanism');
    expect(
      thrown(() => checkConnectionInput({ name: 'x', bootstrap: 'a:1', sasl: { mechanism: 'PLAIN', username: '' } }))
        .field,
    ).toBe('username');
    expect(
      thrown(() => checkConnectionInput({ name: 'x', bootstrap: 'a:1', tls: { ca: 'not a pem', skipVerify: false } }))
        .field,
    ).toBe('ca');
    const ok = checkConnectionInput({
      name: ' prod ',
      bootstrap: 'k1:9092, k2:9093',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'app', password: 's3cret' },
      tls: { ca: PEM, skipVerify: false },
      rememberPassword: true,
    });
    expect(ok.conn).toMatchObject({
      name: 'prod',
      bootstrap: 'k1:9092,k2:9093',
      sasl: { mechanism: 'SCRAM-SHA-512', username: 'app' },
      tls: { ca: PEM, skipVerify: false },
      rememberPassword: true,
    });
    expect(ok.conn.sasl).not.toHaveProperty('password');
    expect(ok.password).toBe('s3cret');
  });

  it('hands the client SASL and TLS options', () => {
    expect(securityOptions({ sasl: null, tls: null }, undefined)).toEqual({});
    expect(securityOptions({ sasl: { mechanism: 'SCRAM-SHA-256', username: 'u' }, tls: null }, 'pw')).toEqual({
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'u', password: 'pw' },
    });
    expect(securityOptions({ sasl: null, tls: { ca: PEM, skipVerify: false } }, undefined)).toEqual({
      tls: { ca: PEM, rejectUnauthorized: true },
    });
    expect(
      securityOptions({ sasl: { mechanism: 'PLAIN', username: 'u' }, tls: { ca: null, skipVerify: true } }, 'p'),
    ).toEqual({
      sasl: { mechanism: 'PLAIN', username: 'u', password: 'p' },
      tls: { rejectUnauthorized: false },
    });
  });
});

describe('connection failures read well', () => {
  const network = (message: string, cause?: unknown) => ({
    code: 'PLT_KFK_MULTIPLE',
    message: 'Cannot connect to any broker.',
    errors: [{ code: 'PLT_KFK_NETWORK', message, cause }],
  });
  it('SASL against a broker without SASL, TLS against plaintext, bad certificates, bad logins, refused', () => {
    const sasl = { bootstrap: 'h:1', sasl: { mechanism: 'PLAIN' as const, username: 'u' }, tls: null };
    expect(connectionFailure(network('Connection closed while waiting for ready.'), sasl)).toMatchObject({
      field: 'sasl',
      message: expect.stringMatching(/SASL does not seem to be enabled/),
    });
    const tls = { bootstrap: 'h:1', sasl: null, tls: { ca: null, skipVerify: false } };
    expect(
      connectionFailure(
        network('Connection to h:1 failed.', {
          code: 'PLT_KFK_USER',
          message: 'TLS handshake failed. Please verify the broker supports TLS.',
        }),
        tls,
      ),
    ).toMatchObject({ field: 'tls', message: expect.stringMatching(/does not seem to speak TLS/) });
    expect(
      connectionFailure(
        network('Connection to h:1 failed.', {
          code: 'SELF_SIGNED_CERT_IN_CHAIN',
          message: 'self-signed certificate in certificate chain',
        }),
        tls,
      ),
    ).toMatchObject({ field: 'ca', message: expect.stringMatching(/self-signed.*CA certificate/) });
    expect(
      connectionFailure(
        {
          message: 'x',
          errors: [
            {
              apiId: 'SASL_AUTHENTICATION_FAILED',
              message: 'failed',
              serverErrorMessage: 'Invalid username or password',
            },
          ],
        },
        sasl,
      ),
    ).toMatchObject({
      field: 'password',
      message: expect.stringMatching(/refused the SASL PLAIN login for 'u': Invalid username or password/),
    });
    expect(
      connectionFailure(
        network('Connection to h:1 failed.', { code: 'ECONNREFUSED', message: 'connect ECONNREFUSED' }),
        { bootstrap: 'h:1', sasl: null, tls: null },
      ),
    ).toEqual({ field: 'bootstrap', message: 'Could not connect to the Kafka broker at h:1 (connection refused).' });
    expect(
      connectionFailure(
        { message: 'x', errors: [{ apiId: 'TOPIC_ALREADY_EXISTS', message: 'exists' }] },
        { bootstrap: 'h:1', sasl: null, tls: null },
      ),
    ).toBeUndefined();
  });
});

describe('the settings file', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'samsa-console-settings-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('keeps connections (mode 0600), the password only when remembered, and the selection', () => {
    const path = join(dir, 'console.json');
    const store = new ConnectionStore('127.0.0.1:9092', path);
    expect(store.list()).toEqual([expect.objectContaining({ id: LOCAL_ID, local: true, bootstrap: '127.0.0.1:9092' })]);
    expect(existsSync(path)).toBe(false);
    const remembered = store.resolve({
      name: 'prod',
      bootstrap: 'k1:9092',
      sasl: { mechanism: 'PLAIN', username: 'app', password: 'keep-me' },
      tls: null,
      rememberPassword: true,
    });
    store.upsert(remembered.conn, remembered.password);
    const forgotten = store.resolve({
      name: 'stage',
      bootstrap: 'k2:9092',
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'app', password: 'forget-me' },
      tls: null,
      rememberPassword: false,
    });
    store.upsert(forgotten.conn, forgotten.password);
    store.select(remembered.conn.id);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    const text = readFileSync(path, 'utf8');
    expect(text).toContain('keep-me');
    expect(text).not.toContain('forget-me');
    // Both passwords are known while the console runs.
    expect(store.list().map((c) => c.hasPassword)).toEqual([false, true, true]);

    const again = new ConnectionStore('127.0.0.1:9092', path);
    expect(again.list().map((c) => [c.name, c.hasPassword])).toEqual([
      ['Local cluster', false],
      ['prod', true],
      ['stage', false],
    ]);
    expect(again.selected.name).toBe('prod');
    expect(again.password(remembered.conn.id)).toBe('keep-me');
    // A SASL connection without a known password asks for one.
    expect(thrown(() => again.select(forgotten.conn.id)).field).toBe('password');
    expect(again.select(forgotten.conn.id, 'typed-now').name).toBe('stage');
    // Editing without a password keeps the known one; names stay unique; the local cluster stays.
    const edited = again.resolve({
      id: forgotten.conn.id,
      name: 'staging',
      bootstrap: 'k2:9092',
      sasl: { mechanism: 'SCRAM-SHA-256', username: 'app' },
      tls: null,
      rememberPassword: false,
    });
    expect(edited.password).toBe('typed-now');
    expect(thrown(() => again.upsert({ ...edited.conn, name: 'PROD' }, edited.password)).field).toBe('name');
    expect(thrown(() => again.remove(LOCAL_ID)).message).toMatch(/cannot be removed/);
    again.remove(forgotten.conn.id);
    expect(again.selected.id).toBe(LOCAL_ID);
    expect(new ConnectionStore('x:1', path).list().map((c) => c.name)).toEqual(['Local cluster', 'prod']);
  });

  it('starts with the local cluster when the file is unreadable', () => {
    const path = join(dir, 'console.json');
    writeFileSync(path, '{ not json');
    const store = new ConnectionStore('127.0.0.1:9092', path);
    expect(store.list()).toHaveLength(1);
    expect(store.loadError).toMatch(/Could not read the console settings/);
  });
});

describe('replica plans for a new replication factor', () => {
  const topic = [
    { partition: 0, replicas: [1], leader: 1 },
    { partition: 1, replicas: [2], leader: 2 },
    { partition: 2, replicas: [3], leader: 3 },
  ];
  it('adds replicas on the least loaded brokers, keeping the existing ones first', () => {
    const plan = planReplicas(topic, [1, 2, 3], 2);
    for (const p of topic) {
      const r = plan.get(p.partition)!;
      expect(r).toHaveLength(2);
      expect(r[0]).toBe(p.replicas[0]);
      expect(new Set(r).size).toBe(2);
    }
    const load = new Map<number, number>();
    for (const r of plan.values()) for (const b of r) load.set(b, (load.get(b) ?? 0) + 1);
    expect([...load.values()].sort()).toEqual([2, 2, 2]);
    expect([...planReplicas(topic, [1, 2, 3], 3).values()].every((r) => [...r].sort().join() === '1,2,3')).toBe(true);
  });

  it('removes replicas from the end but never the leader, and refuses more replicas than brokers', () => {
    const plan = planReplicas(
      [
        { partition: 0, replicas: [1, 2, 3], leader: 3 },
        { partition: 1, replicas: [2, 3, 1], leader: 2 },
      ],
      [1, 2, 3],
      1,
    );
    expect(plan.get(0)).toEqual([3]);
    expect(plan.get(1)).toEqual([2]);
    expect(planReplicas([{ partition: 0, replicas: [1, 2, 3], leader: 1 }], [1, 2, 3], 2).get(0)).toEqual([1, 2]);
    expect(() => planReplicas(topic, [1, 2], 3)).toThrow(/more than the 2 brokers/);
  });
});
