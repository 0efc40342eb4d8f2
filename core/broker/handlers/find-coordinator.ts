// FindCoordinator (key 10), v0–6. This single broker coordinates every group:
// a group key (type 0) is answered with this node once `__consumer_offsets`
// exists (created on first need). Transaction keys (type 1) get
// COORDINATOR_NOT_AVAILABLE until the transaction coordinator exists.
// v4+ batches keys in `coordinatorKeys` and answers per key.

import type { Broker } from '../broker.ts';
import type { RequestContext } from '../api-table.ts';
import type { FindCoordinatorRequest, FindCoordinatorResponseInput } from '../../protocol/messages/find-coordinator.ts';
import { ErrorCode, errorMessage } from '../../protocol/errors.ts';

const GROUP = 0;
const TRANSACTION = 1;

export async function handleFindCoordinator(
  broker: Broker, req: FindCoordinatorRequest, version: number, _ctx: RequestContext,
): Promise<FindCoordinatorResponseInput> {
  const keyType = version >= 1 ? req.keyType : GROUP;
  const find = async (key: string) => {
    let errorCode: number;
    if (keyType === GROUP) errorCode = await broker.groups.findGroupCoordinator();
    else if (keyType === TRANSACTION) errorCode = ErrorCode.COORDINATOR_NOT_AVAILABLE;
    else errorCode = ErrorCode.INVALID_REQUEST;
    const ok = errorCode === ErrorCode.NONE;
    return {
      key, errorCode, errorMessage: ok ? null : errorMessage(errorCode),
      nodeId: ok ? broker.brokerId : -1, host: ok ? broker.advertisedHost : '', port: ok ? broker.advertisedPort : -1,
    };
  };
  if (version >= 4) {
    return { throttleTimeMs: 0, coordinators: await Promise.all(req.coordinatorKeys.map(find)) };
  }
  const c = await find(req.key);
  return { throttleTimeMs: 0, errorCode: c.errorCode, errorMessage: c.errorMessage, nodeId: c.nodeId, host: c.host, port: c.port };
}
