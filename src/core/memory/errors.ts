/** Memory failures, each with a one-line message that names what was wrong and where. */

export class MemoryError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MemoryError';
  }
}

/** Vectors of another model (or dimension) than the store holds: re-embed, or use that embedder. */
export class EmbeddingSpaceError extends MemoryError {
  constructor(message: string) {
    super(message);
    this.name = 'EmbeddingSpaceError';
  }
}

/** A store that cannot be opened or written (corrupted, locked, unreachable); nothing was deleted. */
export class MemoryStoreError extends MemoryError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'MemoryStoreError';
  }
}
