/**
 * Short previews of prompts, outputs and tool arguments for span attributes: truncated, with
 * well-known secret shapes masked. Spans leave the process, so nothing longer or secret goes in.
 */
import { withoutSecretUrls } from '../model/endpointUrl';

const REDACTED = '[redacted]';

/** Token shapes of common providers, and `Bearer …` / `key=…` style credentials. */
const SECRET_PATTERNS: RegExp[] = [
  /\b(?:sk|pk|rk)-[A-Za-z0-9_-]{16,}/g,
  /\b(?:ghp|gho|ghs|ghu|github_pat)_[A-Za-z0-9_]{20,}/g,
  /\bxox[abprs]-[A-Za-z0-9-]{10,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{35}\b/g,
  /\bBearer\s+[A-Za-z0-9._~+/-]+=*/gi,
  /\b(api[_-]?key|token|secret|password|passwd)(["']?\s*[:=]\s*["']?)[^\s"',;]{6,}/gi,
];

/** Object keys whose values are never shown, whatever they look like. */
const SECRET_KEY = /(api[_-]?key|token|secret|password|passwd|authorization|credential|cookie)/i;

/** Extra characters looked at before cutting, so a secret straddling the cut is still masked. */
const REDACTION_MARGIN = 256;

/** Masks the token shapes above, and drops credentials and key-like query parameters from URLs. */
export function redactSecrets(text: string): string {
  let out = withoutSecretUrls(text);
  for (const pattern of SECRET_PATTERNS) {
    out = out.replace(pattern, (match, key?: string, separator?: string) =>
      typeof key === 'string' && typeof separator === 'string' ? `${key}${separator}${REDACTED}` : REDACTED,
    );
  }
  return out;
}

/** The first `maxChars` characters of `text`, secrets masked; '' when previews are off (0). */
export function previewText(text: string, maxChars: number): string {
  if (maxChars <= 0 || text.length === 0) return '';
  const window = redactSecrets(text.length > maxChars + REDACTION_MARGIN ? text.slice(0, maxChars + REDACTION_MARGIN) : text);
  return window.length > maxChars ? `${window.slice(0, maxChars)}…` : window;
}

/** A preview of a JSON value (tool arguments): secret-named keys masked, long strings cut early. */
export function previewJson(value: unknown, maxChars: number): string {
  if (maxChars <= 0) return '';
  let json: string | undefined;
  try {
    json = JSON.stringify(value, (key, inner: unknown) => {
      if (key !== '' && SECRET_KEY.test(key)) return REDACTED;
      // Cutting long strings here keeps the cost bounded for e.g. a write_file of a large file;
      // the margin leaves a secret near the cut whole, so previewText can still mask it.
      const limit = maxChars + REDACTION_MARGIN;
      if (typeof inner === 'string' && inner.length > limit) return inner.slice(0, limit);
      return inner;
    });
  } catch {
    return '[unserialisable]';
  }
  return previewText(json ?? String(value), maxChars);
}
