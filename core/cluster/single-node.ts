// A single-node cluster in one process: the controller on the data dir (`<data-dir>/metadata.db`)
// and one broker following it through an InProcessChannel, opened when the broker starts and
// closed when it stops. Tests and tools build their broker with it; `samsa start` wires the same
// two parts itself (it also shows the controller's metadata to `samsa broker list`).
import { Broker, type BrokerOptions } from '../broker/broker.ts';
import { BrokerConfig } from '../broker/configs.ts';
import { Controller } from './controller.ts';
import { InProcessChannel } from './in-process-channel.ts';

export type SingleNodeOptions = Omit<BrokerOptions, 'controller' | 'openController' | 'topics'>;

/** A broker that, when started, opens its own controller on `opts.dataDir`. */
export function singleNodeBroker(opts: SingleNodeOptions): Broker {
  return new Broker({
    ...opts,
    openController: async () => {
      // Its routine messages (registration, fencing of this only broker) are not logged.
      const controller = Controller.open(opts.dataDir, opts.config ?? new BrokerConfig());
      return { channel: new InProcessChannel(controller), close: () => controller.close() };
    },
  });
}
