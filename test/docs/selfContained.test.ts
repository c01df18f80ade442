import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * A clone has only what the repository holds: no file may point outside it (the design notes once
 * lived in ../shared), and every relative link in the Markdown docs must lead to a file that exists.
 */
const tracked = execFileSync('git', ['ls-files', '-z'], { encoding: 'utf8' })
  .split('\0')
  .filter((f) => f !== '' && existsSync(f) && !f.startsWith('test/docs/'));

describe('the docs stand on their own', () => {
  it('no tracked file references ../shared or /work/shared', () => {
    const offenders = tracked.filter((f) => /(\.\.\/shared\/|\/work\/shared)/.test(readFileSync(f, 'utf8')));
    expect(offenders).toEqual([]);
  });

  it('every relative link in a Markdown file leads to a file of the repository', () => {
    const broken: string[] = [];
    for (const file of tracked.filter((f) => f.endsWith('.md'))) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        const target = match[1] ?? '';
        if (/^[a-z]+:/i.test(target)) continue; // https:, mailto:
        if (!existsSync(join(dirname(file), target))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('the docs a newcomer needs are there', () => {
    for (const doc of ['docs/architecture.md', 'docs/local-stack.md', 'local/sandbox/README.md'])
      expect(tracked).toContain(doc);
  });
});
