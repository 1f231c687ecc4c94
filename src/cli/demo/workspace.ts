/** The small project the demo task works on. */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';

const demoFiles: Record<string, string> = {
  'README.md': '# shop\n\nA tiny shopping-cart library used by the deep-agent demo.\n',
  'src/cart.ts': [
    "import type { Item } from './item';",
    '',
    'export function total(items: Item[]): number {',
    '  // TODO: apply discount codes',
    '  const sum = items.reduce((acc, item) => acc + item.price * item.quantity, 0);',
    '  // TODO: round totals to whole cents',
    '  return sum;',
    '}',
    '',
  ].join('\n'),
  'src/item.ts': ['export interface Item {', '  name: string;', '  price: number;', '  quantity: number;', '}', ''].join('\n'),
  'src/user.ts': [
    'export function isValidEmail(email: string): boolean {',
    '  // TODO: validate email addresses properly',
    "  return email.includes('@');",
    '}',
    '',
  ].join('\n'),
};

export const demoPrompt =
  'Find every TODO comment in this project and write them to TODO.md as a checklist grouped by file, with a one-line summary at the top. Have a subagent double-check the list.';

/** Where in its workspace the demo journals its run: the folder VS Code lists the CLI's runs from. */
export const demoRunsDir = '.deep-agent/runs';

/** The model name the demo fixture was recorded with. */
export const demoModel = 'demo-model';

/** Writes the demo project into `dir` (created if needed). */
export async function writeDemoWorkspace(dir: string): Promise<void> {
  for (const [path, content] of Object.entries(demoFiles)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}
