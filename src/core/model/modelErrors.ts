/**
 * Failures of an OpenAI-compatible endpoint as ModelErrors: one line that names the endpoint and
 * the cause a user can act on (connection refused, DNS, TLS, timeout), and whether a retry can help.
 */
import OpenAI from 'openai';
import { withoutSecrets, withoutSecretUrls } from './endpointUrl';
import { ModelError } from './types';

/** Classifies a failure so the retry policy knows what to do with it. */
export function toModelError(error: unknown, endpoint: string, signal?: AbortSignal): Error {
  if (error instanceof ModelError) return error;
  if (signal?.aborted || error instanceof OpenAI.APIUserAbortError) {
    return signal?.reason instanceof Error ? signal.reason : new DOMException('The run was cancelled', 'AbortError');
  }
  const where = withoutSecrets(endpoint);
  if (error instanceof OpenAI.APIConnectionTimeoutError) {
    return new ModelError(`the model server at ${where} did not answer in time`, 'model_timeout', true);
  }
  if (error instanceof OpenAI.APIConnectionError) {
    const { reason, transient } = connectionFailure(error);
    return new ModelError(`cannot reach the model server at ${where}: ${reason}`, 'model_connection', transient);
  }
  if (error instanceof OpenAI.APIError && typeof error.status === 'number') {
    const status = error.status;
    const transient = status === 408 || status === 409 || status === 429 || status >= 500;
    return new ModelError(`model server at ${where} answered HTTP ${status}: ${describeApiError(error)}`, `model_http_${status}`, transient, status, retryAfterMs(error.headers));
  }
  const message = error instanceof Error ? error.message : String(error);
  // Sockets cut mid-stream surface as plain errors from fetch ("terminated", ECONNRESET).
  const transient = /terminated|ECONNRESET|socket|other side closed|EPIPE/i.test(message);
  return new ModelError(`model call to ${where} failed: ${withoutSecretUrls(message)}`, transient ? 'model_connection' : 'model_failed', transient);
}

interface Cause {
  reason: string;
  transient: boolean;
}

/** What fetch says under "Connection error." / "fetch failed", in words. */
function connectionFailure(error: Error): Cause {
  const root = rootCause(error);
  const rawCode = (root as Error & { code?: unknown }).code;
  const code = typeof rawCode === 'string' ? rawCode : undefined;
  const detail = code ? `${code}` : root.message;
  if (/bad port/i.test(root.message)) {
    return { reason: 'fetch refuses that port (it is reserved for another protocol); serve the model on another port', transient: false };
  }
  switch (code) {
    case 'ECONNREFUSED':
      return { reason: `connection refused (${detail}): is the server running and listening on that port?`, transient: true };
    case 'ENOTFOUND':
      return { reason: `the host name does not resolve (${detail}): check the URL`, transient: false };
    case 'EAI_AGAIN':
      return { reason: `DNS lookup failed for now (${detail})`, transient: true };
    case 'ETIMEDOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return { reason: `the connection timed out (${detail})`, transient: true };
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return { reason: `the connection was reset (${detail})`, transient: true };
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return { reason: `no route to the host (${detail})`, transient: true };
  }
  if (code && /^(ERR_SSL_WRONG_VERSION_NUMBER|EPROTO)$/.test(code)) {
    return { reason: `TLS handshake failed (${code}): the server does not speak HTTPS on that port; use http:// for a plain server`, transient: false };
  }
  if (code && /^(ERR_TLS_|ERR_SSL_|CERT_|DEPTH_ZERO_SELF_SIGNED_CERT|SELF_SIGNED_CERT_IN_CHAIN|UNABLE_TO_)/.test(code)) {
    return { reason: `the TLS certificate is not trusted (${code}); for a private CA set NODE_EXTRA_CA_CERTS`, transient: false };
  }
  return { reason: withoutSecretUrls(root === error ? error.message : root.message || detail), transient: true };
}


/** The innermost `cause` (fetch wraps the system error twice; several addresses make an AggregateError). */
function rootCause(error: Error): Error {
  let current: Error = error;
  for (let depth = 0; depth < 5 && current.cause instanceof Error; depth++) current = current.cause;
  if (current instanceof AggregateError && current.errors[0] instanceof Error && !(current as { code?: unknown }).code) return current.errors[0];
  return current;
}

function describeApiError(error: InstanceType<typeof OpenAI.APIError>): string {
  const body = error.error as { message?: unknown } | undefined;
  const message = typeof body?.message === 'string' ? body.message : error.message;
  return message.replace(/\s+/g, ' ').slice(0, 300);
}

/** Reads `retry-after-ms` or `retry-after` (seconds or an HTTP date). */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = headers?.get('retry-after-ms');
  if (ms && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(value);
  return Number.isFinite(date) ? Math.max(0, date - now) : undefined;
}
