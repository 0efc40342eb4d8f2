// Kafka's BROKER_LOGGER config resource (KIP-412): the log level of each of a broker's loggers,
// described with DescribeConfigs and changed with IncrementalAlterConfigs on the broker itself
// (never forwarded to the controller; not kept across a restart), with Kafka's checks and
// messages. Samsa keeps the levels and reports them; its own log has no levels, so they change
// nothing. Kafka knows the loggers its classes created and refuses others ("Logger x does not
// exist!"); Samsa has no such set and takes any name. `root` (INFO) always exists and cannot be
// removed; removing another logger's level makes it follow root again.
import { ErrorCode } from '../protocol/errors.ts';
import { ConfigSource } from './config-defs.ts';
import type { ConfigEntry } from './config-describe.ts';

export const ROOT_LOGGER = 'root';
/** The levels Kafka accepts (log4j's, less OFF and ALL). */
export const LOG_LEVELS = ['DEBUG', 'ERROR', 'FATAL', 'INFO', 'TRACE', 'WARN'] as const;

const SET = 0;
const DELETE = 1;
const OP_NAMES = ['SET', 'DELETE', 'APPEND', 'SUBTRACT'];

/** The levels set on one broker. */
const byBroker = new WeakMap<object, Map<string, string>>();

function levels(broker: object): Map<string, string> {
  let m = byBroker.get(broker);
  if (!m) byBroker.set(broker, (m = new Map([[ROOT_LOGGER, 'INFO']])));
  return m;
}

type Result = { errorCode: number; errorMessage: string | null };
const fail = (errorCode: number, errorMessage: string): Result => ({ errorCode, errorMessage });

/** DescribeConfigs' check of a BROKER_LOGGER resource name: an error, or null. */
export function describeLoggersError(resourceName: string, brokerId: number): Result | null {
  if (resourceName === '') return fail(ErrorCode.INVALID_REQUEST, 'Broker id must not be empty');
  if (!/^[+-]?\d+$/.test(resourceName)) {
    return fail(ErrorCode.INVALID_REQUEST, `Broker id must be an integer, but it is: ${resourceName}`);
  }
  if (Number(resourceName) !== brokerId) {
    return fail(ErrorCode.INVALID_REQUEST, `Unexpected broker id, expected ${brokerId} but received ${resourceName}`);
  }
  return null;
}

/** Every logger with a level on this broker, as DescribeConfigs lists them. */
export function loggerEntries(broker: object): ConfigEntry[] {
  return [...levels(broker)].map(([name, value]) => ({
    name,
    value,
    readOnly: false,
    source: ConfigSource.DYNAMIC_BROKER_LOGGER_CONFIG,
    sensitive: false,
    type: 0,
    synonyms: [],
    doc: '',
  }));
}

export interface LoggerOp {
  name: string;
  configOperation: number;
  value: string | null;
}

/** IncrementalAlterConfigs on a BROKER_LOGGER resource: checks every operation, then applies them unless validating only. */
export function alterLoggers(
  broker: object,
  brokerId: number,
  resourceName: string,
  ops: readonly LoggerOp[],
  validateOnly: boolean,
): Result {
  if (!/^[+-]?\d+$/.test(resourceName)) {
    return fail(ErrorCode.INVALID_REQUEST, `Node id must be an integer, but it is: ${resourceName}`);
  }
  if (Number(resourceName) !== brokerId) {
    return fail(ErrorCode.INVALID_REQUEST, `Unexpected node id. Expected ${brokerId}, but received ${resourceName}`);
  }
  if (new Set(ops.map((o) => o.name)).size !== ops.length) {
    return fail(ErrorCode.INVALID_REQUEST, 'Error due to duplicate config keys');
  }
  const nulls = ops.filter((o) => o.configOperation === SET && o.value === null).map((o) => o.name);
  if (nulls.length > 0) return fail(ErrorCode.INVALID_REQUEST, `Null value not supported for : ${nulls.join(', ')}`);
  for (const op of ops) {
    if (op.configOperation === SET) {
      if (!(LOG_LEVELS as readonly string[]).includes(op.value!)) {
        return fail(
          ErrorCode.INVALID_CONFIG,
          `Cannot set the log level of ${op.name} to ${op.value} as it is not a supported log level. Valid log levels are ${LOG_LEVELS.join(', ')}`,
        );
      }
    } else if (op.configOperation === DELETE) {
      if (op.name === ROOT_LOGGER) {
        return fail(ErrorCode.INVALID_REQUEST, 'Removing the log level of the root logger is not allowed');
      }
    } else if (OP_NAMES[op.configOperation]) {
      return fail(
        ErrorCode.INVALID_REQUEST,
        `${OP_NAMES[op.configOperation]} operation is not allowed for the BROKER_LOGGER resource`,
      );
    } else {
      return fail(
        ErrorCode.INVALID_REQUEST,
        `Unknown operation type ${op.configOperation} is not allowed for the BROKER_LOGGER resource`,
      );
    }
  }
  if (!validateOnly) {
    const m = levels(broker);
    for (const op of ops) {
      if (op.configOperation === SET) m.set(op.name, op.value!);
      else m.delete(op.name);
    }
  }
  return { errorCode: ErrorCode.NONE, errorMessage: null };
}
