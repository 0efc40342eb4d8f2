// What the parts of the group coordinator share (Kafka's GroupCoordinatorShard
// holds the same for its GroupMetadataManager and OffsetMetadataManager): the
// broker, the runtime of `__consumer_offsets` partitions, the classic and the
// consumer-protocol groups, classic membership and the committed offsets.
// GroupCoordinator builds it once and hands it to OffsetManager and GroupAdmin.

import type { ClassicGroup } from './group.ts';
import type { Membership } from './membership.ts';
import type { OffsetStore } from './offset-store.ts';
import type { ConsumerGroups } from './consumer-groups.ts';
import type { CoordinatorHost, CoordinatorRuntime } from './coordinator-runtime.ts';

/** The protocol type of groups of consumers (classic groups of the Java consumer, and every KIP-848 group). */
export const CONSUMER_PROTOCOL = 'consumer';

export interface CoordinatorState {
  readonly host: CoordinatorHost;
  readonly runtime: CoordinatorRuntime;
  /** Classic groups by id. */
  readonly groups: Map<string, ClassicGroup>;
  /** Groups of the consumer protocol (KIP-848). */
  readonly consumer: ConsumerGroups;
  readonly membership: Membership;
  readonly offsets: OffsetStore;
  /** The classic group of that id, created Empty when there is none. */
  getOrCreateGroup(groupId: string): ClassicGroup;
}
