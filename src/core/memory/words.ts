/** Words of a text as full-text search and the hashing embedder see them: lower-cased runs of letters and digits. */
const WORD = /[\p{L}\p{N}]+/gu;

export function words(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}
