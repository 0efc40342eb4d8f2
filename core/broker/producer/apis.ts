// The idempotent producer's entries in the API table (Kafka 4.0 version ranges).

import type { ApiTable } from '../api-table.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';
import { decodeInitProducerIdRequest, encodeInitProducerIdResponse } from '../../protocol/messages/init-producer-id.ts';
import {
  decodeDescribeProducersRequest,
  encodeDescribeProducersResponse,
} from '../../protocol/messages/describe-producers.ts';
import { handleInitProducerId } from '../handlers/init-producer-id.ts';
import { handleDescribeProducers } from '../handlers/describe-producers.ts';

export function registerProducerApis(table: ApiTable): void {
  table
    .register({
      apiKey: ApiKey.InitProducerId,
      name: 'InitProducerId',
      min: 0,
      max: 5,
      decodeRequest: decodeInitProducerIdRequest,
      encodeResponse: encodeInitProducerIdResponse,
      handle: handleInitProducerId,
    })
    .register({
      apiKey: ApiKey.DescribeProducers,
      name: 'DescribeProducers',
      min: 0,
      max: 0,
      decodeRequest: decodeDescribeProducersRequest,
      encodeResponse: encodeDescribeProducersResponse,
      handle: handleDescribeProducers,
    });
}
