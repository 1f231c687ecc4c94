/** The system prompt of a deep agent. Deterministic: no dates or absolute paths, so replays match. */
import type { Skill } from './skills';
import type { SubagentConfig } from './types';

interface PromptParts {
  agentName: string;
  /** Shown to the model when set, e.g. the project's name or folder. */
  workingDir?: string;
  instructions?: string;
  toolNames: ReadonlySet<string>;
  subagents: SubagentConfig[];
  skills: Skill[];
}

export function systemPrompt(p: PromptParts): string {
  const sections = [
    `You are ${p.agentName}, a deep agent: you plan your work, use tools to act, delegate self-contained pieces to subagents, and finish with a clear final answer.`,
  ];
  if (p.toolNames.has('write_todos')) {
    sections.push(
      '## Planning\nFor any task of three or more steps, first write a todo list with write_todos. Keep exactly one item in_progress, and mark each item completed as soon as it is done.',
    );
  }
  if (p.toolNames.has('read_file')) {
    sections.push(
      `## Files\nYou work in a workspace${p.workingDir ? ` (${p.workingDir})` : ''}. Use ls, glob and grep to find things, read_file to read, write_file to create, and edit_file to change a file (read it first; old_string must occur exactly once unless replace_all is set). Paths are relative to the workspace root, e.g. src/index.ts; "." is the root itself.`,
    );
  }
  if (p.toolNames.has('task') && p.subagents.length) {
    const list = p.subagents.map((s) => `- ${s.name}: ${s.description}`).join('\n');
    sections.push(`## Subagents\nUse the task tool to hand a self-contained task to a subagent; it returns its final report. Available subagents:\n${list}`);
  }
  if (p.toolNames.has('remember') && p.toolNames.has('recall')) {
    sections.push(
      '## Memory\nYou have a long-term memory that lasts across sessions. Use recall to look up what earlier sessions learnt before you ask the user or search at length. Use remember for durable facts, decisions and the user\'s preferences (one self-contained statement each), and forget for memories that turn out wrong.',
    );
  }
  if (p.skills.length) {
    const list = p.skills.map((s) => `- ${s.name}: ${s.description}`).join('\n');
    sections.push(`## Skills\nSkills hold instructions for special kinds of task. Load one with load_skill before doing such a task. Available skills:\n${list}`);
  }
  sections.push('When you are done, reply with your final answer and no tool calls.');
  if (p.instructions?.trim()) sections.push(p.instructions.trim());
  return sections.join('\n\n');
}
