/** How the Runs view nests runs: a child run journaled on its own under the run that started it. */

/** What nesting needs of a run. */
interface NestedRun {
  summary: { runId: string };
  parentRunId?: string;
}

/** Runs whose parent is listed go under it; the others (a parent deleted, say) stay at the top. */
export function nest<R extends NestedRun>(runs: readonly R[]): { roots: R[]; children: Map<string, R[]> } {
  const ids = new Set(runs.map((r) => r.summary.runId));
  const roots: R[] = [];
  const children = new Map<string, R[]>();
  for (const run of runs) {
    const parent = run.parentRunId;
    if (parent && ids.has(parent) && parent !== run.summary.runId) children.set(parent, [...(children.get(parent) ?? []), run]);
    else roots.push(run);
  }
  return { roots, children };
}
