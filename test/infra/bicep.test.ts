import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureBicep, listBicepFiles, run, type ProcessResult } from './infraFiles';

// Compiles and lints every template with the pinned Bicep CLI. Any diagnostic fails: the CLI
// prints warnings (linter rules included) on stderr and still exits 0, so stderr must be empty.

const pattern = 'infra/**/*.bicep';

function report(result: ProcessResult): string {
  return `exit ${result.exitCode}\n${result.stderr}${result.stdout}`;
}

describe('Bicep templates', () => {
  let bicep = '';
  let outDir = '';
  const files = listBicepFiles();

  beforeAll(async () => {
    bicep = await ensureBicep();
    outDir = await mkdtemp(join(tmpdir(), 'entra-jit-bicep-'));
  }, 600_000);

  afterAll(async () => {
    if (outDir !== '') await rm(outDir, { recursive: true, force: true });
  });

  it('has the entry point and its modules', () => {
    expect(files).toContain('infra/main.bicep');
    expect(files.length).toBeGreaterThan(1);
  });

  it('builds every .bicep file with no warning or error', async () => {
    const result = await run(bicep, ['build', '--pattern', pattern, '--outdir', outDir, '--no-restore'], 120_000);
    expect(result.stderr.trim(), report(result)).toBe('');
    expect(result.exitCode, report(result)).toBe(0);
    const missing = files.filter(
      (file) => !existsSync(join(outDir, file.slice('infra/'.length).replace(/\.bicep$/, '.json'))),
    );
    expect(missing, `no ARM template produced for these files:\n${report(result)}`).toEqual([]);
  }, 120_000);

  it('lints every .bicep file with no warning or error', async () => {
    const result = await run(bicep, ['lint', '--pattern', pattern, '--no-restore'], 120_000);
    expect(result.stderr.trim(), report(result)).toBe('');
    expect(result.stdout.trim(), report(result)).toBe('');
    expect(result.exitCode, report(result)).toBe(0);
  }, 120_000);
});
