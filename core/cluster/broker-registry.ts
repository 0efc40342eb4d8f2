// The controller's registered brokers and their sessions (the shape of Kafka's
// ClusterControlManager with its BrokerHeartbeatManager): registration with a new broker epoch,
// heartbeats, the metadata offset each broker has applied, and fencing as Kafka's controller
// decides it. A broker registers fenced and is unfenced once it has caught up with the metadata;
// no heartbeat for `broker.session.timeout.ms`, an exited process or its own request fences it;
// a controlled shutdown moves its leaderships away first and lets it go once it has applied the
// moves. Which partitions move comes from replication-control.ts.
import type { BrokerRegistration, HeartbeatRequest, HeartbeatResponse } from '../metadata/controller-channel.ts';
import type { BrokerInfo, MetadataChange } from '../metadata/types.ts';
import { ErrorCode } from '../protocol/errors.ts';
import type { ReplicationControl } from './replication-control.ts';

/** What the controller tracks of a broker registered since it started. */
export interface BrokerSession {
  epoch: number;
  lastHeartbeatMs: number;
  /** The last metadata seq the broker reported as applied (fetch `fromSeq`, heartbeat `metadataOffset`). */
  applied: number;
  /** The broker's last heartbeat asked to stay fenced. */
  wantFence: boolean;
  /** Controlled shutdown: the seq of the last leadership move; the broker must have applied it. */
  shutdownSeq: number;
}

/** What the registry uses of the controller. */
export interface BrokerRegistryDeps {
  /** A new broker epoch, never handed out before. */
  nextBrokerEpoch(): number;
  /** Writes and applies changes; returns the seq of the last one. */
  commit(changes: MetadataChange[]): number;
  /** The controller's current seq. */
  seq(): number;
  sessionTimeoutMs(): number;
  log(msg: string): void;
  /** Brokers' applied offsets or liveness changed: answer the requests waiting for them. */
  checkApplied(): void;
  replication: Pick<ReplicationControl, 'moveAway' | 'electLeaderless'>;
}

export class BrokerRegistry {
  private readonly deps: BrokerRegistryDeps;
  private readonly brokerMap = new Map<number, BrokerInfo>();
  private readonly sessions = new Map<number, BrokerSession>();
  private readonly openedAtMs = Date.now();
  /** Brokers known from the store that have not registered since this controller started. */
  private readonly unclaimed = new Set<number>();

  constructor(deps: BrokerRegistryDeps, brokers: BrokerInfo[]) {
    this.deps = deps;
    for (const b of brokers) this.brokerMap.set(b.id, b);
    for (const id of this.brokerMap.keys()) this.unclaimed.add(id);
  }

  /** No broker has a session with a controller that just started: the changes that fence them all. */
  fenceAllAtStart(): MetadataChange[] {
    const fence: MetadataChange[] = [];
    for (const b of this.brokerMap.values()) {
      if (!b.fenced || b.shuttingDown)
        fence.push({ type: 'broker', broker: { ...b, fenced: true, shuttingDown: false } });
    }
    return fence;
  }

  replay(c: MetadataChange): void {
    switch (c.type) {
      case 'broker':
        this.brokerMap.set(c.broker.id, { ...c.broker });
        break;
      case 'brokerRemoved':
        this.brokerMap.delete(c.id);
        this.sessions.delete(c.id);
        break;
    }
  }

  // ---- the current state ----

  broker(id: number): BrokerInfo | undefined {
    return this.brokerMap.get(id);
  }

  /** Copies, by id. */
  brokers(): BrokerInfo[] {
    return [...this.brokerMap.values()].sort((a, b) => a.id - b.id).map((b) => ({ ...b }));
  }

  isLive(id: number): boolean {
    const b = this.brokerMap.get(id);
    return b !== undefined && !b.fenced && !b.shuttingDown && this.sessions.has(id);
  }

  liveBrokerIds(): number[] {
    const out: number[] = [];
    for (const b of this.brokerMap.values()) if (this.isLive(b.id)) out.push(b.id);
    return out.sort((a, b) => a - b);
  }

  /** Whether every unfenced broker with a session has applied `seq`. */
  allApplied(seq: number): boolean {
    for (const b of this.brokerMap.values()) {
      if (b.fenced) continue;
      const s = this.sessions.get(b.id);
      if (s && s.applied < seq) return false;
    }
    return true;
  }

  /** The session of a broker whose epoch matches, or the error code for it. */
  session(brokerId: number, brokerEpoch: number): BrokerSession | number {
    const s = this.sessions.get(brokerId);
    if (!s || !this.brokerMap.has(brokerId)) return ErrorCode.BROKER_ID_NOT_REGISTERED;
    if (s.epoch !== brokerEpoch) return ErrorCode.STALE_BROKER_EPOCH;
    return s;
  }

  // ---- BrokerRegistration, BrokerHeartbeat, the metadata fetch ----

  register(req: BrokerRegistration): { errorCode: number; brokerEpoch: number } {
    const existing = this.brokerMap.get(req.brokerId);
    const session = this.sessions.get(req.brokerId);
    if (
      existing &&
      session &&
      !existing.fenced &&
      existing.incarnationId !== req.incarnationId &&
      Date.now() - session.lastHeartbeatMs < this.deps.sessionTimeoutMs()
    ) {
      // Kafka: another process still holds a live session for this id.
      return { errorCode: ErrorCode.DUPLICATE_BROKER_REGISTRATION, brokerEpoch: -1 };
    }
    const epoch = this.deps.nextBrokerEpoch();
    const info: BrokerInfo = {
      id: req.brokerId,
      host: req.host,
      port: req.port,
      rack: req.rack,
      epoch,
      incarnationId: req.incarnationId,
      fenced: true,
      shuttingDown: false,
    };
    const changes: MetadataChange[] = [{ type: 'broker', broker: info }];
    // A re-registration while unfenced (a restart the controller did not see): it leaves its ISRs first.
    if (existing && !existing.fenced) changes.push(...this.deps.replication.moveAway(req.brokerId, false));
    this.deps.commit(changes);
    this.sessions.set(req.brokerId, {
      epoch,
      lastHeartbeatMs: Date.now(),
      applied: 0,
      wantFence: false,
      shutdownSeq: 0,
    });
    this.unclaimed.delete(req.brokerId);
    this.deps.log(`broker ${req.brokerId} registered at epoch ${epoch}`);
    this.deps.checkApplied();
    return { errorCode: ErrorCode.NONE, brokerEpoch: epoch };
  }

  heartbeat(req: HeartbeatRequest): HeartbeatResponse {
    const s = this.session(req.brokerId, req.brokerEpoch);
    if (typeof s === 'number') return { errorCode: s, isCaughtUp: false, isFenced: true, shouldShutDown: false };
    s.lastHeartbeatMs = Date.now();
    s.wantFence = req.wantFence;
    if (req.metadataOffset > s.applied) s.applied = req.metadataOffset;
    const b = this.brokerMap.get(req.brokerId)!;
    // Before this heartbeat's own changes (an unfencing) move the seq on.
    const isCaughtUp = s.applied >= this.deps.seq();
    let shouldShutDown = false;
    if (req.wantShutDown) {
      shouldShutDown = this.controlledShutdown(req.brokerId, s);
    } else if (req.wantFence && !b.fenced) {
      this.fence(req.brokerId, 'it asked to be fenced');
    } else {
      this.maybeUnfence(req.brokerId);
    }
    this.deps.checkApplied();
    const now = this.brokerMap.get(req.brokerId)!;
    return { errorCode: ErrorCode.NONE, isCaughtUp, isFenced: now.fenced, shouldShutDown };
  }

  /** A metadata fetch from `seq`: the broker has applied everything before it. */
  noteApplied(brokerId: number, brokerEpoch: number, seq: number): void {
    const s = this.sessions.get(brokerId);
    if (!s || s.epoch !== brokerEpoch) return;
    s.applied = seq;
    this.maybeUnfence(brokerId);
    this.deps.checkApplied();
  }

  // ---- liveness ----

  /** The supervisor saw the broker's process exit: fence it now. */
  brokerExited(id: number): void {
    this.fence(id, 'its process exited');
    this.sessions.delete(id);
    this.deps.checkApplied();
  }

  checkSessions(): void {
    const now = Date.now();
    // A broker that was up before this controller started and has not come back
    // within a session timeout: its leaderships and ISR places move as for a fencing.
    if (this.unclaimed.size > 0 && now - this.openedAtMs > this.deps.sessionTimeoutMs()) {
      const changes: MetadataChange[] = [];
      for (const id of this.unclaimed) {
        this.deps.log(`broker ${id} did not register again after the controller started`);
        changes.push(...this.deps.replication.moveAway(id, false));
        this.deps.commit(changes.splice(0));
      }
      this.unclaimed.clear();
    }
    for (const [id, s] of this.sessions) {
      const b = this.brokerMap.get(id);
      if (b && !b.fenced && now - s.lastHeartbeatMs > this.deps.sessionTimeoutMs()) {
        this.fence(id, `no heartbeat for ${now - s.lastHeartbeatMs} ms`);
      }
    }
    this.deps.checkApplied();
  }

  /** Fences a broker: it leaves every ISR (never emptying one) and its leaderships move. */
  fence(id: number, why: string): void {
    const b = this.brokerMap.get(id);
    if (!b || b.fenced) return;
    this.deps.log(`fencing broker ${id}: ${why}`);
    const changes: MetadataChange[] = [{ type: 'broker', broker: { ...b, fenced: true } }];
    changes.push(...this.deps.replication.moveAway(id, false));
    this.deps.commit(changes);
  }

  /** Unfences a registered broker that has caught up, and gives it the leaderless partitions it can lead. */
  private maybeUnfence(id: number): void {
    const b = this.brokerMap.get(id);
    const s = this.sessions.get(id);
    if (!b || !s || !b.fenced || b.shuttingDown || s.wantFence || s.applied < this.deps.seq()) return;
    // A broker fenced for a missed session comes back with a heartbeat, not with a fetch.
    if (Date.now() - s.lastHeartbeatMs > this.deps.sessionTimeoutMs()) return;
    this.deps.log(`unfencing broker ${id}`);
    const unfenced: BrokerInfo = { ...b, fenced: false };
    this.brokerMap.set(id, unfenced); // so that elections below see it live
    const changes: MetadataChange[] = [
      { type: 'broker', broker: unfenced },
      ...this.deps.replication.electLeaderless(),
    ];
    this.deps.commit(changes);
  }

  /**
   * A heartbeat with wantShutDown: leaderships move to other in-sync live
   * replicas, the broker leaves the ISRs; true (and the broker is fenced) once
   * it has applied those moves and leads nothing anyone else could lead.
   */
  private controlledShutdown(id: number, s: BrokerSession): boolean {
    const b = this.brokerMap.get(id)!;
    if (b.fenced) return true; // leads nothing, serves nothing
    const changes: MetadataChange[] = [];
    if (!b.shuttingDown) {
      this.deps.log(`broker ${id} is shutting down`);
      const next: BrokerInfo = { ...b, shuttingDown: true };
      this.brokerMap.set(id, next); // no longer eligible as a leader from here on
      changes.push({ type: 'broker', broker: next });
    }
    changes.push(...this.deps.replication.moveAway(id, true));
    if (changes.length > 0) s.shutdownSeq = this.deps.commit(changes);
    if (s.applied < s.shutdownSeq) return false;
    const cur = this.brokerMap.get(id)!;
    this.deps.log(`broker ${id} completed its controlled shutdown`);
    this.deps.commit([
      { type: 'broker', broker: { ...cur, fenced: true } },
      ...this.deps.replication.moveAway(id, false),
    ]);
    return true;
  }
}
