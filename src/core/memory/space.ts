/** Embedding spaces: which model's vectors a store holds, and the check that nothing else gets in. */
import { EmbeddingSpaceError } from './errors';
import type { EmbeddingSpace } from './types';

export const spaceName = (space: EmbeddingSpace) => `${space.model} (${space.dimension} dimensions)`;

export const sameSpace = (a: EmbeddingSpace, b: EmbeddingSpace) => a.model === b.model && a.dimension === b.dimension;

/** Every vector must have the space's length (a store without a space takes none). */
export function checkVectors(space: EmbeddingSpace | undefined, items: { id: string; embedding: number[] }[], where: string): void {
  for (const { id, embedding } of items) {
    if (!space) throw new EmbeddingSpaceError(`${where}: no embedding space set yet; call setSpace before storing ${id}`);
    if (embedding.length !== space.dimension) {
      throw new EmbeddingSpaceError(`${where}: ${id} has a vector of ${embedding.length} dimensions, but the store holds ${spaceName(space)}`);
    }
  }
}
