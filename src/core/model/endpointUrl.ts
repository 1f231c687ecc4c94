/**
 * An endpoint URL as it may be recorded or shown: no user or password, no key-like query parameter
 * (some servers take a key there). Everything else, e.g. Azure's `api-version`, is kept as written.
 */
export function withoutSecrets(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url;
  }
  const secretParams = [...parsed.searchParams.keys()].filter((name) => /key|token|secret|password|sig/i.test(name));
  if (!parsed.username && !parsed.password && secretParams.length === 0) return url;
  parsed.username = '';
  parsed.password = '';
  for (const name of secretParams) parsed.searchParams.delete(name);
  return parsed.toString();
}

/** Every URL in a message (fetch puts the one it was given in some of its errors), without secrets. */
export const withoutSecretUrls = (text: string): string => text.replace(/\bhttps?:\/\/[^\s'"]+/g, withoutSecrets);
