// DescribeCluster (v0–1): the cluster id, the controller and the live brokers
// with their advertised address, from the metadata image (controllerId as in
// Metadata: the lowest live broker, which forwards admin requests to the
// controller). v1 requests name an endpoint type; a broker listener serves
// only BROKER (1), as Kafka's do — CONTROLLER (2) gets MISMATCHED_ENDPOINT_TYPE.
import {
  type DescribeClusterRequest,
  type DescribeClusterResponse,
  decodeDescribeClusterRequest,
  encodeDescribeClusterResponse,
  type DescribeClusterResponseInput,
} from '../../protocol/messages/describe-cluster.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiEntry, HandlerContext } from './context.ts';
import { controllerId, liveBrokers } from './cluster-view.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

const EndpointType = { BROKER: 1, CONTROLLER: 2 } as const;
const OPS_NOT_REQUESTED = -2147483648;
/** With no authorizer every cluster operation is allowed: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE (5, 7–12). */
const ALL_CLUSTER_OPS = (1 << 5) | (1 << 7) | (1 << 8) | (1 << 9) | (1 << 10) | (1 << 11) | (1 << 12);

export function handleDescribeCluster(
  broker: HandlerContext,
  req: DescribeClusterRequest,
  version: number,
): DescribeClusterResponse {
  const endpointType = version >= 1 ? req.endpointType : EndpointType.BROKER;
  const res: DescribeClusterResponse = {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    errorMessage: null,
    endpointType: EndpointType.BROKER,
    clusterId: broker.clusterId,
    controllerId: controllerId(broker),
    brokers: liveBrokers(broker).map((b) => ({ brokerId: b.id, host: b.host, port: b.port, rack: b.rack })),
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? ALL_CLUSTER_OPS : OPS_NOT_REQUESTED,
  };
  if (endpointType !== EndpointType.BROKER) {
    const known = endpointType === EndpointType.CONTROLLER;
    res.errorCode = known ? ErrorCode.MISMATCHED_ENDPOINT_TYPE : ErrorCode.UNSUPPORTED_ENDPOINT_TYPE;
    res.errorMessage = known
      ? 'The request was sent to an endpoint of type BROKER, but we wanted an endpoint of type CONTROLLER'
      : `Unsupported endpoint type ${endpointType}`;
    res.brokers = [];
  }
  return res;
}

export const describeClusterApi: ApiEntry<DescribeClusterRequest, DescribeClusterResponseInput> = {
  apiKey: ApiKey.DescribeCluster,
  name: 'DescribeCluster',
  min: 0,
  max: 1,
  decodeRequest: decodeDescribeClusterRequest,
  encodeResponse: encodeDescribeClusterResponse,
  handle: handleDescribeCluster,
};
