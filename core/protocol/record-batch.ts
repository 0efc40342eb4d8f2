// Record batch v2 (Kafka "Message format" documentation), in one import. The
// parts:
//   batch-header.ts      layout (BATCH, Attr), header field reads, in-place
//                        rewrites for offset assignment, the walk over batches
//   batch-validation.ts  produce-side validation by headers (validateBatchAt,
//                        validateRecordBatches) and the per-record timestamp
//                        walk of the log validator (scanRecordTimestamps)
//   record-decoder.ts    records decoded into objects (non-hot paths)
//   batch-builder.ts     a batch built from records (tests, tools, benchmarks)
// The native compression addons load on first use (compression.ts), so
// importing this module costs the broker nothing at start.
export * from './batch-header.ts';
export * from './batch-validation.ts';
export * from './record-decoder.ts';
export * from './batch-builder.ts';
