/** Errors that end a run. */

export class RunCancelledError extends Error {
  constructor(message = 'the run was cancelled') {
    super(message);
    this.name = 'RunCancelledError';
  }
}

export class MaxIterationsError extends Error {
  constructor(readonly maxIterations: number) {
    super(`the run reached its limit of ${maxIterations} model calls without a final answer`);
    this.name = 'MaxIterationsError';
  }
}

export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return (
    signal?.aborted === true ||
    error instanceof RunCancelledError ||
    (error instanceof Error && error.name === 'AbortError')
  );
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Errors already reported as an `error` event, so the loop does not report them twice. */
const reportedErrors = new WeakSet<object>();

export function markReported(error: unknown): void {
  if (typeof error === 'object' && error !== null) reportedErrors.add(error);
}

export function isReported(error: unknown): boolean {
  return typeof error === 'object' && error !== null && reportedErrors.has(error);
}

/** A short machine-readable kind for an `error` event: the error's own code, else its class name in snake_case. */
export function errorCode(error: unknown): string {
  if (error instanceof Error && 'code' in error && typeof error.code === 'string') return error.code;
  if (error instanceof Error && error.name !== 'Error' && error.name.endsWith('Error')) {
    return error.name.replace(/Error$/, '').replace(/[A-Z]/g, (c, i: number) => (i ? '_' : '') + c.toLowerCase());
  }
  return 'run_failed';
}
