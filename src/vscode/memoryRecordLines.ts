/**
 * The records of a memory file to import, each with where it is (`file:line`, or `file: item n`):
 * a .json file's array items, or JSON lines (blank lines skipped). Pure, tested in Node.
 */
export function recordsOf(text: string, file: string): { text: string; where: string }[] {
  const trimmed = text.trimStart();
  if (file.endsWith('.json') && trimmed.startsWith('[')) {
    let items: unknown[];
    try {
      items = JSON.parse(trimmed) as unknown[];
    } catch (error) {
      throw new Error(`${file}: not a JSON array (${(error as Error).message})`);
    }
    return items.map((item, i) => ({ text: JSON.stringify(item), where: `${file}: item ${i + 1}` }));
  }
  return text.split(/\r?\n/).flatMap((line, i) => (line.trim() ? [{ text: line, where: `${file}:${i + 1}` }] : []));
}
