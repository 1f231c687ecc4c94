/** Backend failures become ToolErrors: one line, naming the path, shown to the model as the tool result. */
import { ToolError } from '../types';

export async function fromBackend<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw toToolError(error);
  }
}

export function toToolError(error: unknown): ToolError {
  if (error instanceof ToolError) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new ToolError(message.split('\n', 1)[0]);
}
