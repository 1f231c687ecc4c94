import type { RunEvent } from './events';

/** An unbounded single-consumer queue; the producer never waits. */
export class EventQueue {
  #items: RunEvent[] = [];
  #head = 0;
  #closed = false;
  #wake: (() => void) | undefined;

  push(event: RunEvent): void {
    this.#items.push(event);
    this.#wake?.();
  }

  close(): void {
    this.#closed = true;
    this.#wake?.();
  }

  iterator(onEarlyExit: () => void): AsyncIterator<RunEvent> {
    return {
      next: async () => {
        while (this.#head === this.#items.length) {
          if (this.#closed) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (this.#wake = resolve));
          this.#wake = undefined;
        }
        const value = this.#items[this.#head++]!;
        // Drop consumed events now and then so a long run does not keep them all.
        if (this.#head > 4096 && this.#head * 2 > this.#items.length) {
          this.#items = this.#items.slice(this.#head);
          this.#head = 0;
        }
        return { done: false, value };
      },
      return: async () => {
        if (!this.#closed) onEarlyExit();
        return { done: true, value: undefined };
      },
    };
  }
}
