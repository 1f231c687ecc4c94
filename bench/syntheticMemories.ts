/**
 * A synthetic memory set: facts about a made-up code base ("The billing service deploys to staging
 * with Helm"), each asked about later in other words ("how is billing deployed?"), with word forms,
 * synonyms and the odd typo, among many facts that share the same services and tools. Seeded: the
 * same set every run.
 */
import type { Judged } from './cranfield';

const services = ['billing', 'search', 'checkout', 'inventory', 'notifications', 'auth', 'reporting', 'gateway', 'scheduler', 'analytics', 'payments', 'profile'];
const facts: { fact: (s: string, x: string) => string; ask: (s: string, x: string) => string; values: string[] }[] = [
  { fact: (s, x) => `The ${s} service deploys to production with ${x}`, ask: (s) => `how is ${s} deployed`, values: ['helm', 'terraform', 'ansible', 'argo', 'kustomize'] },
  { fact: (s, x) => `${s} stores its data in ${x}`, ask: (s) => `which database does the ${s} service use for storage`, values: ['postgres', 'mongodb', 'redis', 'cassandra', 'sqlite'] },
  { fact: (s, x) => `Tests for ${s} run with ${x} and need a local cluster`, ask: (s) => `testing ${s}: what runner`, values: ['vitest', 'jest', 'mocha', 'pytest', 'ava'] },
  { fact: (s, x) => `The ${s} team prefers ${x} indentation in every file`, ask: (s) => `indenting style preferred by ${s}`, values: ['tab', 'two-space', 'four-space'] },
  { fact: (s, x) => `Logs from ${s} are shipped to ${x}`, ask: (s) => `where do the ${s} logging outputs go`, values: ['loki', 'elasticsearch', 'datadog', 'splunk'] },
  { fact: (s, x) => `${s} authenticates callers with ${x} tokens`, ask: (s) => `authentication method of ${s}`, values: ['jwt', 'oauth', 'mtls', 'api-key'] },
  { fact: (s, x) => `The ${s} queue consumer retries failed messages ${x} times`, ask: (s) => `how many retries for ${s} messages that fail`, values: ['three', 'five', 'ten'] },
  { fact: (s, x) => `On-call for ${s} escalates to ${x} after midnight`, ask: (s) => `who is escalated to at night for ${s}`, values: ['alice', 'bob', 'carol', 'dave', 'erin'] },
];

function seeded(seed: number): () => number {
  return () => {
    seed = (seed * 1664525 + 1013904223) >>> 0;
    return seed / 2 ** 32;
  };
}

/** A typo: two neighbouring letters swapped in one longer word. */
function typo(text: string, random: () => number): string {
  const words = text.split(' ');
  const long = words.map((w, i) => [w, i] as const).filter(([w]) => w.length > 5);
  if (long.length === 0) return text;
  const [word, at] = long[Math.floor(random() * long.length)]!;
  const i = 1 + Math.floor(random() * (word.length - 3));
  words[at] = word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2);
  return words.join(' ');
}

export function syntheticMemories(count: number, queryCount: number): Judged {
  const random = seeded(42);
  const pick = <T>(list: T[]) => list[Math.floor(random() * list.length)]!;
  const documents: Judged['documents'] = [];
  const asked: { id: string; text: string }[] = [];
  for (let i = 0; i < count; i++) {
    const template = pick(facts);
    // Many variants of each service, so a service name alone does not pick the right memory.
    const service = `${pick(services)}-${Math.floor(random() * 40)}`;
    documents.push({ id: `m${i}`, text: `${template.fact(service, pick(template.values))}.` });
    asked.push({ id: `m${i}`, text: template.ask(service, '') });
  }
  const queries: Judged['queries'] = [];
  const relevant: Judged['relevant'] = new Map();
  for (let q = 0; q < queryCount; q++) {
    const target = asked[Math.floor(random() * asked.length)]!;
    const id = `q${q}`;
    queries.push({ id, text: random() < 0.3 ? typo(target.text, random) : target.text });
    relevant.set(id, new Map([[target.id, 1]]));
  }
  return { queries, documents, relevant };
}
