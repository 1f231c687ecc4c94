/**
 * Trace and span ids in the OpenTelemetry format (32 and 16 lowercase hex characters), from an
 * injectable source so traces can be replayed exactly (ARCHITECTURE.md).
 */
import { randomBytes } from 'node:crypto';

export interface TraceIdSource {
  traceId(): string;
  spanId(): string;
}

const POOL_BYTES = 4096;
const INVALID_TRACE_ID = '0'.repeat(32);
const INVALID_SPAN_ID = '0'.repeat(16);

/** Random ids; one randomBytes call serves hundreds of ids, because ids are made on the hot path. */
export function randomTraceIds(): TraceIdSource {
  let pool = randomBytes(POOL_BYTES);
  let offset = 0;
  const hex = (bytes: number): string => {
    if (offset + bytes > POOL_BYTES) {
      pool = randomBytes(POOL_BYTES);
      offset = 0;
    }
    const id = pool.toString('hex', offset, offset + bytes);
    offset += bytes;
    return id;
  };
  return {
    // All zeros is the one invalid id; retrying costs nothing in practice.
    traceId: () => {
      let id = hex(16);
      while (id === INVALID_TRACE_ID) id = hex(16);
      return id;
    },
    spanId: () => {
      let id = hex(8);
      while (id === INVALID_SPAN_ID) id = hex(8);
      return id;
    },
  };
}

/** Deterministic ids for tests and replays: 000…001, 000…002, … (trace and span ids count apart). */
export function sequentialTraceIds(): TraceIdSource {
  let traces = 0;
  let spans = 0;
  return {
    traceId: () => (++traces).toString(16).padStart(32, '0'),
    spanId: () => (++spans).toString(16).padStart(16, '0'),
  };
}
