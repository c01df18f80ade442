import { execFile } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

/** Paths and helpers shared by the infra tests. */
export const repoRoot = resolve(__dirname, '../..');
export const infraDir = join(repoRoot, 'infra');

/** Every .bicep file under infra/, relative to the repository root, sorted. */
export function listBicepFiles(dir: string = infraDir): string[] {
  const found: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listBicepFiles(path));
    else if (entry.name.endsWith('.bicep')) found.push(relative(repoRoot, path));
  }
  return found.sort();
}

export function readRepoFile(path: string): string {
  return readFileSync(join(repoRoot, path), 'utf8');
}

export interface ProcessResult {
  readonly exitCode: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs a program to completion; never rejects on a non-zero exit (the caller reports it). */
export function run(file: string, args: readonly string[], timeoutInMs: number): Promise<ProcessResult> {
  return new Promise((resolvePromise, reject) => {
    execFile(
      file,
      args,
      { cwd: repoRoot, timeout: timeoutInMs, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error !== null && typeof error.code !== 'number') {
          reject(new Error(`${file} ${args.join(' ')} did not run: ${error.message}\n${stderr}`));
          return;
        }
        resolvePromise({ exitCode: error === null ? 0 : Number(error.code), stdout, stderr });
      },
    );
  });
}

/**
 * The Bicep CLI: $BICEP_BIN if set, else the pinned version from NuGet, installed on first use by
 * infra/scripts/install-bicep.sh into node_modules/.cache/bicep (instant once cached).
 */
export async function ensureBicep(): Promise<string> {
  const fromEnvironment = process.env.BICEP_BIN;
  if (fromEnvironment !== undefined && fromEnvironment !== '') return fromEnvironment;
  const result = await run('bash', [join(infraDir, 'scripts', 'install-bicep.sh')], 540_000);
  const path = result.stdout.trim().split('\n').pop() ?? '';
  if (result.exitCode !== 0 || path === '') {
    throw new Error(`infra/scripts/install-bicep.sh failed (exit ${result.exitCode}):\n${result.stderr}`);
  }
  return path;
}
