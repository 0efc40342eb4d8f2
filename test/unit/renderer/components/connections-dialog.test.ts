// @vitest-environment happy-dom
// The Connections dialog, mounted with a fake Bridge: required fields, the SASL fields appearing when
// SASL is switched on, and what a connection test reports (an error next to its field, or elsewhere).
import { afterEach, describe, expect, it } from 'vitest';
import type { ConnectionsState } from '../../../../core/console/bridge.ts';
import ConnectionsDialog from '../../../../renderer/src/components/ConnectionsDialog.vue';
import {
  byTestId,
  cleanup,
  click,
  exists,
  fails,
  FakeBridge,
  feedback,
  openDialog,
  status,
  typeInto,
  type Mounted,
} from '../../../helpers/renderer/mount.ts';

let m: Mounted | undefined;
afterEach(() => {
  cleanup(m);
  m = undefined;
});

function bridge(): FakeBridge {
  const b = new FakeBridge();
  const state: ConnectionsState = {
    selected: 'local',
    connections: [
      {
        id: 'local',
        name: 'Local cluster',
        bootstrap: 'localhost:9092',
        local: true,
        sasl: null,
        tls: null,
        rememberPassword: false,
        hasPassword: false,
      },
    ],
  };
  b.answers.listConnections = () => state;
  return b;
}

describe('ConnectionsDialog', () => {
  it('requires a name and HOST:PORT bootstrap servers before asking the cluster', async () => {
    m = await openDialog(ConnectionsDialog, bridge());
    expect(byTestId('conn-item-Local cluster').textContent).toContain('localhost:9092');
    expect(feedback('Name')).toBe('');
    await click('conn-test');
    expect(feedback('Name')).toBe('Give the connection a name.');
    expect(feedback('Bootstrap servers')).toBe('Enter at least one bootstrap server, HOST:PORT.');
    expect(status('Bootstrap servers')).toBe('error');
    await typeInto('conn-name', 'prod');
    await typeInto('conn-bootstrap', 'kafka-1');
    expect(feedback('Name')).toBe('');
    expect(feedback('Bootstrap servers')).toBe('"kafka-1" is not HOST:PORT.');
    await click('conn-save');
    expect(m.bridge.of('testConnection')).toEqual([]);
    expect(m.bridge.of('saveConnection')).toEqual([]);
  });

  it('shows the SASL fields once SASL is on, and requires them', async () => {
    m = await openDialog(ConnectionsDialog, bridge());
    expect(exists('conn-mechanism')).toBe(false);
    expect(exists('conn-username')).toBe(false);
    expect(exists('conn-password')).toBe(false);
    await click('conn-sasl');
    expect(exists('conn-mechanism')).toBe(true);
    expect(byTestId('conn-mechanism').textContent).toContain('SCRAM-SHA-256');
    expect(exists('conn-username')).toBe(true);
    expect(exists('conn-password')).toBe(true);
    await typeInto('conn-name', 'secure');
    await typeInto('conn-bootstrap', 'kafka-1:9093');
    await click('conn-test');
    expect(feedback('Username')).toBe('SASL needs a username.');
    expect(feedback('Password')).toBe('Enter the password.');
    expect(m.bridge.of('testConnection')).toEqual([]);
    await typeInto('conn-username', 'alice');
    await typeInto('conn-password', 'secret');
    m.bridge.answers.testConnection = () => ({ brokers: 3, clusterId: 'abc', controllerId: 1, ms: 12 });
    await click('conn-test');
    expect(m.bridge.of('testConnection')).toEqual([
      {
        name: 'secure',
        bootstrap: 'kafka-1:9093',
        sasl: { mechanism: 'SCRAM-SHA-256', username: 'alice', password: 'secret' },
        tls: null,
        rememberPassword: false,
      },
    ]);
    expect(byTestId('conn-result').textContent).toBe('Connected in 12 ms: 3 brokers, cluster abc.');
    // Switched off again, the SASL fields go.
    await click('conn-sasl');
    expect(exists('conn-username')).toBe(false);
  });

  it('shows a failed test next to the field it is about, or above the buttons', async () => {
    const b = bridge();
    b.answers.testConnection = fails({
      message: 'SASL authentication failed: wrong username or password.',
      field: 'password',
    });
    m = await openDialog(ConnectionsDialog, b);
    await click('conn-sasl');
    await typeInto('conn-name', 'secure');
    await typeInto('conn-bootstrap', 'kafka-1:9093');
    await typeInto('conn-username', 'alice');
    await typeInto('conn-password', 'wrong');
    await click('conn-test');
    expect(b.of('testConnection')).toHaveLength(1);
    expect(feedback('Password')).toBe('SASL authentication failed: wrong username or password.');
    expect(status('Password')).toBe('error');
    expect(exists('conn-result')).toBe(false);
    expect(exists('conn-error')).toBe(false);

    b.answers.testConnection = fails({
      message: 'Could not connect to the Kafka broker at kafka-1:9093 (connection refused).',
      field: 'bootstrap',
    });
    await click('conn-test');
    expect(feedback('Bootstrap servers')).toBe(
      'Could not connect to the Kafka broker at kafka-1:9093 (connection refused).',
    );
    expect(feedback('Password')).toBe('');

    b.answers.testConnection = fails({ message: 'The cluster answered with an unexpected error.' });
    await click('conn-test');
    expect(byTestId('conn-error').textContent).toContain('The cluster answered with an unexpected error.');
  });
});
