/** recall@k and nDCG@k of a ranking against graded judgements. */
export function recallAt(k: number, ranked: string[], relevant: Map<string, number>): number {
  if (relevant.size === 0) return 0;
  return ranked.slice(0, k).filter((id) => relevant.has(id)).length / relevant.size;
}

export function ndcgAt(k: number, ranked: string[], relevant: Map<string, number>): number {
  const dcg = (gains: number[]) => gains.slice(0, k).reduce((sum, gain, i) => sum + (2 ** gain - 1) / Math.log2(i + 2), 0);
  const ideal = dcg([...relevant.values()].sort((a, b) => b - a));
  return ideal === 0 ? 0 : dcg(ranked.map((id) => relevant.get(id) ?? 0)) / ideal;
}

export const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / (values.length || 1);
