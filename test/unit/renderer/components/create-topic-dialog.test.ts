// @vitest-environment happy-dom
// The Create topic dialog, mounted with a fake Bridge: live name checks by Kafka's rules, the
// replication factor bounded by the live brokers (and why), and a failure from the cluster shown
// next to its field with the form keeping what was typed.
import { afterEach, describe, expect, it } from 'vitest';
import { topicNameError as brokerRule } from '../../../../core/broker/configs.ts';
import CreateTopicDialog from '../../../../renderer/src/components/CreateTopicDialog.vue';
import {
  byTestId,
  cleanup,
  click,
  exists,
  fails,
  FakeBridge,
  feedback,
  openDialog,
  overview,
  status,
  topic,
  typeInto,
  type Mounted,
} from '../../../helpers/renderer/mount.ts';

let m: Mounted | undefined;
afterEach(() => {
  cleanup(m);
  m = undefined;
});

function bridgeWith(statuses: Parameters<typeof overview>[0], topics = [topic('orders')]): FakeBridge {
  const b = new FakeBridge();
  b.answers.listTopics = () => topics;
  b.answers.clusterOverview = () => overview(statuses);
  return b;
}

const inputValue = (id: string) => byTestId(id).querySelector('input')!.value;

describe('CreateTopicDialog', () => {
  it('checks the name live as Kafka does, and against existing topics', async () => {
    m = await openDialog(CreateTopicDialog, bridgeWith(['online']));
    expect(exists('create-dialog')).toBe(true);
    expect(feedback('Name')).toBe('');
    for (const bad of ['bad name', 'ü', '..', 'x'.repeat(250), 'a/b']) {
      await typeInto('topic-name', bad);
      expect(feedback('Name')).toBe(brokerRule(bad));
      expect(status('Name')).toBe('error');
    }
    await typeInto('topic-name', '');
    expect(feedback('Name')).toBe("Topic name is illegal, it can't be empty");
    await typeInto('topic-name', 'orders');
    expect(feedback('Name')).toBe("Topic 'orders' already exists.");
    await typeInto('topic-name', 'a.b_c');
    expect(feedback('Name')).toMatch(/collide in metric names/);
    expect(status('Name')).toBe('warning');
    await typeInto('topic-name', 'payments');
    expect(feedback('Name')).toBe('');
    expect(status('Name')).toBe(null);
  });

  it('limits the replication factor to the live brokers and says why; a bad form is not sent', async () => {
    m = await openDialog(CreateTopicDialog, bridgeWith(['online', 'online', 'dead']));
    // Two of three brokers are live: the default is 2, and the reason for the limit is shown.
    expect(inputValue('topic-rf')).toBe('2');
    expect(feedback('Replication factor')).toBe('At most 2: the cluster has 2 live brokers.');
    expect(status('Replication factor')).toBe(null);
    await typeInto('topic-rf', '3');
    expect(feedback('Replication factor')).toBe(
      'Replication factor 3 needs 3 live brokers; the cluster has 2 live brokers.',
    );
    expect(status('Replication factor')).toBe('error');
    await typeInto('topic-name', 'payments');
    await click('create-submit');
    expect(m.bridge.of('createTopic')).toEqual([]);
    expect(m.props.show).toBe(true);

    await typeInto('topic-rf', '2');
    expect(status('Replication factor')).toBe(null);
    await click('create-submit');
    expect(m.bridge.of('createTopic')).toEqual([
      { name: 'payments', partitions: 3, replicationFactor: 2, configs: {} },
    ]);
    // Created: the dialog closes.
    expect(m.props.show).toBe(false);
  });

  it('shows an error from the cluster next to its field and keeps the input', async () => {
    const b = bridgeWith(['online']);
    b.answers.createTopic = fails({
      message: 'Number of partitions is above the limit of 1000.',
      field: 'partitions',
      kafkaError: 'INVALID_PARTITIONS',
    });
    m = await openDialog(CreateTopicDialog, b);
    await typeInto('topic-name', 'big');
    await typeInto('topic-partitions', '5000');
    await click('create-submit');
    expect(b.of('createTopic')).toEqual([{ name: 'big', partitions: 5000, replicationFactor: 1, configs: {} }]);
    expect(feedback('Partitions')).toBe('Number of partitions is above the limit of 1000.');
    expect(status('Partitions')).toBe('error');
    expect(feedback('Name')).toBe('');
    expect(m.props.show).toBe(true);
    expect(inputValue('topic-name')).toBe('big');
    expect(inputValue('topic-partitions')).toBe('5000');

    // A name error from the cluster sits under the name, and goes once the name is changed.
    b.answers.createTopic = fails({
      message: "Topic 'big' already exists.",
      field: 'name',
      kafkaError: 'TOPIC_ALREADY_EXISTS',
    });
    await click('create-submit');
    expect(feedback('Name')).toBe("Topic 'big' already exists.");
    expect(feedback('Partitions')).toBe('');
    await typeInto('topic-name', 'bigger');
    expect(feedback('Name')).toBe('');
  });
});
