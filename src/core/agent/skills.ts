/**
 * Skills: folders holding a SKILL.md whose front matter names and describes the skill. The system
 * prompt lists them; the model loads one (and the files beside it) only when it needs it.
 */
import { readdir, readFile, realpath } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { defineTool, ToolError } from '../tools/types';

export interface Skill {
  name: string;
  description: string;
  dir: string;
  instructions: string;
}

const frontMatterSchema = z.object({
  name: z.string().min(1),
  description: z.string().min(1),
});

interface SkillDiscovery {
  skills: Skill[];
  /** One line per skill folder that could not be used, naming the file and the problem. */
  problems: string[];
}

export async function discoverSkills(dirs: readonly string[]): Promise<SkillDiscovery> {
  const skills: Skill[] = [];
  const problems: string[] = [];
  for (const dir of dirs) {
    let entries;
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (error) {
      problems.push(`skills directory ${dir} cannot be read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
      continue;
    }
    for (const entry of entries.filter((e) => e.isDirectory()).sort((a, b) => a.name.localeCompare(b.name))) {
      const file = join(dir, entry.name, 'SKILL.md');
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch {
        continue; // a folder without SKILL.md is not a skill
      }
      const parsed = parseSkillFile(text, file);
      if (typeof parsed === 'string') problems.push(parsed);
      else if (skills.some((s) => s.name === parsed.name)) problems.push(`${file}: skill "${parsed.name}" is already defined; this one is ignored`);
      else skills.push({ ...parsed, dir: join(dir, entry.name) });
    }
  }
  return { skills, problems };
}

/** The skill's name, description and body, or a one-line problem. */
export function parseSkillFile(text: string, file: string): Omit<Skill, 'dir'> | string {
  const match = /^---\r?\n([\s\S]*?)\r?\n---\r?\n?([\s\S]*)$/.exec(text);
  if (!match) return `${file}: no front matter (a SKILL.md starts with ---, name: and description:, then ---)`;
  let data: unknown;
  try {
    data = parseYaml(match[1]!);
  } catch (error) {
    return `${file}: front matter is not valid YAML: ${(error as Error).message.split('\n')[0]}`;
  }
  const result = frontMatterSchema.safeParse(data);
  if (!result.success) {
    const issue = result.error.issues[0]!;
    return `${file}: front matter field "${issue.path.join('.') || '(root)'}": ${issue.message}`;
  }
  return { name: result.data.name, description: result.data.description, instructions: match[2]!.trim() };
}

/** The SKILL.md body, or another file of the skill's folder; never a file outside it. */
export async function readSkill(skill: Skill, file?: string): Promise<string> {
  if (!file) {
    const others = (await listFiles(skill.dir)).filter((f) => f !== 'SKILL.md');
    const resources = others.length ? `\n\nFiles in this skill (read one with load_skill and file=...):\n${others.map((f) => `- ${f}`).join('\n')}` : '';
    return `# Skill: ${skill.name}\n\n${skill.instructions}${resources}`;
  }
  const root = await realpath(skill.dir);
  let target: string;
  try {
    target = await realpath(resolve(root, file));
  } catch {
    throw new ToolError(`skill "${skill.name}" has no file "${file}"`);
  }
  if (target !== root && !target.startsWith(root + sep)) throw new ToolError(`"${file}" is outside the skill "${skill.name}"`);
  return readFile(target, 'utf8');
}

async function listFiles(dir: string, base = dir): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true });
  const files = await Promise.all(
    entries.map((e) => (e.isDirectory() ? listFiles(join(dir, e.name), base) : [relative(base, join(dir, e.name)).split(sep).join('/')])),
  );
  return files.flat().sort();
}

export const loadSkillTool = defineTool({
  name: 'load_skill',
  description: 'Load the instructions of a skill before doing the kind of task it covers, or one of the files that come with it.',
  parameters: z.object({
    name: z.string().describe('The skill name, as listed in the system prompt'),
    file: z.string().optional().describe('A file inside the skill folder, e.g. "reference.md"; leave out for the instructions'),
  }),
  readOnly: true,
  async execute({ name, file }, ctx) {
    return ctx.services.loadSkill(name, file);
  },
});
