/**
 * `npx tsx bench/profile.ts <file.cpuprofile> [top]`: where a V8 CPU profile's time went.
 * Prints self time by function and by package (node_modules/<pkg>, or the repository
 * folder), and inclusive time of the functions of this repository, each as a percentage
 * of the samples in which the process was not idle.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const IDLE = new Set(['(idle)', '(program)', '(garbage collector)']);

function packageOf(url: string): string {
  if (!url) return '(native)';
  const modules = url.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = url.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  if (url.startsWith('node:')) return 'node:' + url.slice(5).split('/')[0];
  const match = /\/(gateway|lib|subgraphs|scripts|bench)\/(.+)$/.exec(url);
  return match ? `repo:${match[1]}/${match[2]!.split('/').slice(0, -1).join('/') || '.'}`.replace(/\/\.$/, '') : url;
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url.replace(/^.*\/(node_modules\/|(?=gateway\/|lib\/|subgraphs\/|scripts\/))/, '');
  return `${functionName || '(anonymous)'} ${file ? `${file}:${lineNumber + 1}` : ''}`.trim();
}

export function summarise(profile: CpuProfile, top = 25): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const self = new Map<number, number>();
  let total = 0;
  let busy = 0;
  const gc = { t: 0 };
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    total += delta;
    const node = byId.get(id)!;
    if (node.callFrame.functionName === '(garbage collector)') gc.t += delta;
    if (IDLE.has(node.callFrame.functionName) && node.callFrame.functionName !== '(garbage collector)') return;
    busy += delta;
    self.set(id, (self.get(id) ?? 0) + delta);
  });
  const pct = (t: number) => `${((t / busy) * 100).toFixed(1).padStart(5)}%`;
  const bySelf = new Map<string, number>();
  const byPackage = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const [id, t] of self) {
    const node = byId.get(id)!;
    bySelf.set(label(node), (bySelf.get(label(node)) ?? 0) + t);
    const pkg = packageOf(node.callFrame.url);
    byPackage.set(pkg, (byPackage.get(pkg) ?? 0) + t);
    // Inclusive time of repository functions: every distinct one on the stack.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)!;
      if (!/\/(gateway|lib|subgraphs)\//.test(frame.callFrame.url) || frame.callFrame.url.includes('node_modules')) continue;
      const key = label(frame);
      if (seen.has(key)) continue;
      seen.add(key);
      inclusive.set(key, (inclusive.get(key) ?? 0) + t);
    }
  }
  const sorted = (m: Map<string, number>) => [...m.entries()].sort((a, b) => b[1] - a[1]).slice(0, top);
  const lines = [
    `busy ${(busy / 1e6).toFixed(1)} s of ${(total / 1e6).toFixed(1)} s profiled (${((busy / total) * 100).toFixed(0)}%), garbage collection ${pct(gc.t).trim()} of busy`,
    '',
    'self time by package:',
    ...sorted(byPackage).map(([k, t]) => `  ${pct(t)}  ${k}`),
    '',
    'self time by function:',
    ...sorted(bySelf).map(([k, t]) => `  ${pct(t)}  ${k}`),
    '',
    'inclusive time of repository functions:',
    ...sorted(inclusive).map(([k, t]) => `  ${pct(t)}  ${k}`),
  ];
  return lines.join('\n');
}

if (require.main === module) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: npx tsx bench/profile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  console.log(summarise(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(process.argv[3] ?? 25)));
}
