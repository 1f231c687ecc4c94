/**
 * Puts streamed tool-call pieces together into whole calls. OpenAI numbers each call with an
 * `index` and sends its id once; other servers do not:
 * - Ollama labels parallel calls all `index: 0`, each with its own id;
 * - Gemini's endpoint sends no index at all, a call's later pieces with no id (or an empty one).
 * So a piece belongs to the call with its id when it has one, else to the call now holding its
 * index, else (neither given) to the latest call, unless it names a function the latest call
 * already has a name for: then it starts the next call, in order.
 */
import type { ModelChunk, ToolCall } from './types';

type ToolCallPiece = Extract<ModelChunk, { type: 'tool_call' }>;

export class ToolCallAssembler {
  readonly #calls: ToolCall[] = [];
  readonly #byId = new Map<string, ToolCall>();
  /** The call each index refers to now; a new id under a used index takes the index over. */
  readonly #byIndex = new Map<number, ToolCall>();

  add(piece: ToolCallPiece): void {
    const call = this.#callFor(piece);
    if (piece.name) call.name += piece.name;
    call.arguments += piece.argumentsDelta;
    if (piece.providerData) call.providerData = { ...call.providerData, ...piece.providerData };
  }

  /** The calls in the order they began; calls the server sent without an id get `call_<step>_<n>`. */
  calls(step: number): ToolCall[] {
    return this.#calls.map((call, i) => (call.id ? call : { ...call, id: `call_${step}_${i}` }));
  }

  #callFor({ id, index, name }: ToolCallPiece): ToolCall {
    if (id) {
      const known = this.#byId.get(id);
      if (known) return known;
      // The first piece of this call came without its id: the id completes it.
      const unnamed = index === undefined ? undefined : this.#byIndex.get(index);
      if (unnamed && !unnamed.id) {
        unnamed.id = id;
        this.#byId.set(id, unnamed);
        return unnamed;
      }
      return this.#start(id, index);
    }
    if (index !== undefined) return this.#byIndex.get(index) ?? this.#start('', index);
    const latest = this.#calls.at(-1);
    if (!latest || (name && latest.name)) return this.#start('', undefined);
    return latest;
  }

  #start(id: string, index: number | undefined): ToolCall {
    const call: ToolCall = { id, name: '', arguments: '' };
    this.#calls.push(call);
    if (id) this.#byId.set(id, call);
    if (index !== undefined) this.#byIndex.set(index, call);
    return call;
  }
}
