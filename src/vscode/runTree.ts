/** How the Runs view nests runs: a child run journaled on its own under the run that started it. */

/** What nesting needs of a run. */
interface NestedRun {
  summary: { runId: string };
  parentRunId?: string;
}

/**
 * Runs whose parent is listed go under it; the others (a parent deleted, say) stay at the top, and so
 * does a run whose parents lead back to itself (damaged journals), so no run is ever out of sight.
 */
export function nest<R extends NestedRun>(runs: readonly R[]): { roots: R[]; children: Map<string, R[]> } {
  const byId = new Map(runs.map((r) => [r.summary.runId, r]));
  const roots: R[] = [];
  const children = new Map<string, R[]>();
  for (const run of runs) {
    const parent = run.parentRunId;
    if (parent && byId.has(parent) && !loopsBack(run, byId)) children.set(parent, [...(children.get(parent) ?? []), run]);
    else roots.push(run);
  }
  return { roots, children };
}

function loopsBack(run: NestedRun, byId: ReadonlyMap<string, NestedRun>): boolean {
  const seen = new Set<string>();
  for (let at: NestedRun | undefined = run; at?.parentRunId; at = byId.get(at.parentRunId)) {
    if (at.parentRunId === run.summary.runId || seen.has(at.summary.runId)) return true;
    seen.add(at.summary.runId);
  }
  return false;
}
