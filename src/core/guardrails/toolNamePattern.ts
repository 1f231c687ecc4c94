/** Tool name patterns: exact names, or '*' standing for any run of characters ('mcp_*', '*_file'). */

interface ToolNamePattern {
  readonly pattern: string;
  matches(toolName: string): boolean;
}

export function toolNamePattern(pattern: string): ToolNamePattern {
  if (!pattern.includes('*')) return { pattern, matches: (name) => name === pattern };
  // Everything but '*' is literal, so escape regex characters ('.', '+', ...) a tool name may hold.
  const source = pattern
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  const regex = new RegExp(`^${source}$`);
  return { pattern, matches: (name) => regex.test(name) };
}

/** The first pattern that matches `toolName`, if any. */
export function firstMatch(patterns: readonly ToolNamePattern[], toolName: string): ToolNamePattern | undefined {
  return patterns.find((p) => p.matches(toolName));
}
