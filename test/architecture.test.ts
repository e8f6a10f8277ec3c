/** The architecture as the import graph shows it: no cycles; functions never import each other or the local stack. */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const DIRS = ['functions', 'local', 'cli', 'infra', 'bench', 'bin', 'site'];

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : files(path);
    return /\.(ts|js)$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Relative imports of every source file (type-only ones too: they tie modules together as much). */
function graph(): Map<string, string[]> {
  const edges = new Map<string, string[]>();
  for (const file of DIRS.flatMap((d) => files(join(ROOT, d)))) {
    const text = readFileSync(file, 'utf8');
    const targets = [...text.matchAll(/(?:from\s+|import\s*\(\s*|import\s+)['"](\.{1,2}\/[^'"]+)['"]/g)].map(([, spec]) => {
      const target = resolve(dirname(file), spec!);
      return target.endsWith('.js') && !files(dirname(target)).includes(target) ? target.replace(/\.js$/, '.ts') : target;
    });
    edges.set(relative(ROOT, file), targets.map((t) => relative(ROOT, t)));
  }
  return edges;
}

/** Every cycle found by a depth-first walk, each as its path of modules. */
function cycles(edges: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of edges.get(node) ?? []) {
      if (state.get(next) === 'open') found.push([...stack.slice(stack.indexOf(next)), next]);
      else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of edges.keys()) if (!state.has(node)) visit(node);
  return found;
}

describe('import graph', () => {
  const edges = graph();

  it('finds a cycle when there is one (the check can fail)', () => {
    expect(cycles(new Map([['a', ['b']], ['b', ['c']], ['c', ['a']]]))).toEqual([['a', 'b', 'c', 'a']]);
  });

  it('has no import cycles', () => {
    expect(edges.size).toBeGreaterThan(100);
    expect(cycles(edges)).toEqual([]);
  });

  it('keeps each Lambda function apart: no function folder imports another (only shared/ and the composition root), and none imports the local stack or the CLI', () => {
    const offending: string[] = [];
    for (const [file, targets] of edges) {
      const own = /^functions\/([^/]+)\//.exec(file)?.[1];
      if (!own) continue;
      for (const target of targets) {
        const other = /^functions\/([^/]+)\//.exec(target)?.[1];
        // The composition root serves every function, so it may depend on none of them.
        const allowed = own === 'compose' ? ['shared', 'compose'] : [own, 'shared', 'compose'];
        if ((other && !allowed.includes(other)) || /^(local|cli)\//.test(target)) offending.push(`${file} → ${target}`);
      }
    }
    expect(offending).toEqual([]);
  });
});
