/** Limits which tools a run may call and how many tool calls it may make. */
import { z } from 'zod';
import { formatCount, formatList } from './format';
import { countLimit, guardrailName, parseOptions, toolNamePatterns } from './options';
import { firstMatch, toolNamePattern } from './toolNamePattern';
import type { Guardrail, GuardrailViolation } from './types';

export interface ToolCallLimitOptions {
  /** Most tool calls in the run; the call that would exceed it is stopped. */
  maxCalls?: number;
  /** Only these tools may be called. Names may use '*' wildcards. */
  allow?: string[];
  /** These tools may never be called; wins over `allow`. Names may use '*' wildcards. */
  deny?: string[];
  /** Defaults to 'tool_call_limit'; presets such as `readOnlyTools` use their own. */
  name?: string;
}

const toolCallLimitOptions = z
  .strictObject(
    { maxCalls: countLimit.optional(), allow: toolNamePatterns.optional(), deny: toolNamePatterns.optional(), name: guardrailName.optional() },
    { error: 'must be an object' },
  )
  .refine((o) => o.maxCalls !== undefined || o.allow !== undefined || o.deny !== undefined, {
    error: 'need at least one of maxCalls, allow, deny',
  });

export function toolCallLimit(options: ToolCallLimitOptions): Guardrail {
  const parsed = parseOptions('toolCallLimit', toolCallLimitOptions, options);
  const name = parsed.name ?? 'tool_call_limit';
  const deny = parsed.deny?.map(toolNamePattern) ?? [];
  const allow = parsed.allow?.map(toolNamePattern);
  const violation = (detail: string, figures: GuardrailViolation['figures']): GuardrailViolation => ({
    guardrail: name,
    message: `${name}: ${detail}`,
    figures,
  });

  return {
    name,
    check(state) {
      if (state.gate !== 'before_tool_call') return undefined;
      const tool = state.toolName ?? '';
      const denied = firstMatch(deny, tool);
      if (denied) {
        return violation(`tool "${tool}" is denied (matches "${denied.pattern}")`, {
          reason: 'denied',
          tool,
          pattern: denied.pattern,
        });
      }
      if (allow && !firstMatch(allow, tool)) {
        const allowed = allow.map((p) => p.pattern);
        return violation(`tool "${tool}" is not allowed (allowed: ${formatList(allowed) || 'none'})`, {
          reason: 'not_allowed',
          tool,
          allowed: formatList(allowed),
        });
      }
      if (parsed.maxCalls !== undefined && state.toolCallCount > parsed.maxCalls) {
        return violation(`${formatCount(state.toolCallCount)} tool calls, limit ${formatCount(parsed.maxCalls)}`, {
          reason: 'max_calls',
          tool,
          toolCallCount: state.toolCallCount,
          maxCalls: parsed.maxCalls,
        });
      }
      return undefined;
    },
  };
}
