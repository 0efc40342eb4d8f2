// DescribeLogDirs (v1–4): the broker's one log directory with the size of each
// partition it hosts (all of them, or the requested ones hosted here), leader
// or follower. offsetLag is the gap to the high watermark (Kafka's lag of a
// current log), no future logs (isFutureKey false). v4 adds the file system's
// total and usable bytes.
import { statfs } from 'node:fs/promises';
import { join } from 'node:path';
import {
  type DescribeLogDirsRequest,
  type DescribeLogDirsResponse,
  type DescribeLogDirsResponseDescribeLogDirsTopic,
  decodeDescribeLogDirsRequest,
  encodeDescribeLogDirsResponse,
  type DescribeLogDirsResponseInput,
} from '../../protocol/messages/describe-log-dirs.ts';
import { ErrorCode } from '../../protocol/errors.ts';
import type { ApiEntry, HandlerContext } from './context.ts';
import type { TopicState } from '../topic-manager.ts';
import { ApiKey } from '../../protocol/messages/api-keys.ts';

export async function handleDescribeLogDirs(
  broker: HandlerContext,
  req: DescribeLogDirsRequest,
  version: number,
): Promise<DescribeLogDirsResponse> {
  const logDir =
    (broker.logs as { dir?: string } | undefined)?.dir ?? join(broker.dataDir, `broker-${broker.brokerId}`);
  const wanted: { topic: TopicState; partitions: number[] | null }[] = [];
  if (req.topics === null) {
    for (const t of broker.topics.all()) wanted.push({ topic: t, partitions: null });
  } else {
    for (const rt of req.topics) {
      const t = broker.topics.get(rt.topic);
      if (t) wanted.push({ topic: t, partitions: rt.partitions });
    }
  }
  const topics: DescribeLogDirsResponseDescribeLogDirsTopic[] = [];
  for (const { topic, partitions } of wanted) {
    const states = (partitions === null ? topic.partitions : partitions.map((p) => topic.partitions[p])).filter(
      (p) => p !== undefined,
    );
    if (states.length === 0) continue;
    topics.push({
      name: topic.name,
      partitions: states.map((p) => ({
        partitionIndex: p.partition,
        partitionSize: p.log.size(),
        offsetLag: Math.max(0, p.log.highWatermark - p.log.logEndOffset),
        isFutureKey: false,
      })),
    });
  }
  let totalBytes = -1;
  let usableBytes = -1;
  if (version >= 4) {
    try {
      const s = await statfs(logDir);
      totalBytes = s.blocks * s.bsize;
      usableBytes = s.bavail * s.bsize;
    } catch {
      /* reported as unknown (-1) */
    }
  }
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    results: [{ errorCode: ErrorCode.NONE, logDir, topics, totalBytes, usableBytes }],
  };
}

export const describeLogDirsApi: ApiEntry<DescribeLogDirsRequest, DescribeLogDirsResponseInput> = {
  apiKey: ApiKey.DescribeLogDirs,
  name: 'DescribeLogDirs',
  min: 1,
  max: 4,
  decodeRequest: decodeDescribeLogDirsRequest,
  encodeResponse: encodeDescribeLogDirsResponse,
  handle: handleDescribeLogDirs,
};
