/**
 * The schemas of the chat data that crosses a boundary — fixtures, journals, checkpoints, run
 * configurations — defined once. Loose objects: what was written must read back unchanged (a
 * fixture's request key depends on it), and a newer writer may add fields.
 */
import { z } from 'zod';
import type { Usage } from '../events';
import type { ChatMessage, ToolCall } from './types';

export const usageSchema: z.ZodType<Usage> = z.looseObject({ inputTokens: z.number(), outputTokens: z.number(), totalTokens: z.number() });

export const toolCallSchema: z.ZodType<ToolCall> = z.looseObject({ id: z.string(), name: z.string(), arguments: z.string() });

export const chatMessageSchema: z.ZodType<ChatMessage> = z.discriminatedUnion('role', [
  z.looseObject({ role: z.literal('system'), content: z.string() }),
  z.looseObject({ role: z.literal('user'), content: z.string() }),
  z.looseObject({ role: z.literal('assistant'), content: z.string().nullable(), toolCalls: z.array(toolCallSchema).optional() }),
  z.looseObject({ role: z.literal('tool'), toolCallId: z.string(), content: z.string() }),
]);
