import { readdir, readFile, readlink } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';

/** A TCP port on 127.0.0.1 that was free a moment ago (for tests and child processes). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error('could not read the port of a probe server'));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/** Starts `server` listening on 127.0.0.1:port (0: a free one) and answers the port it got. */
export async function listenOnLoopback(server: Server, port: number): Promise<number> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  return (server.address() as AddressInfo).port;
}

/** A port the local stack listens on, with the setting that chooses it. */
export interface StackPort {
  readonly setting: string;
  readonly port: number;
}

/** Whether something already listens on 127.0.0.1:port (a probe listen fails with EADDRINUSE). */
export function isPortInUse(port: number): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) =>
      error.code === 'EADDRINUSE' ? resolve(true) : reject(error),
    );
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

/**
 * Refuses to start when one of the stack's ports is taken, before anything is started, with a
 * message naming the setting to change and, when the holder is an earlier stack of ours, its pid
 * and how to stop it (instead of a bare EADDRINUSE from deep inside a server).
 */
export async function assertPortsFree(ports: readonly StackPort[]): Promise<void> {
  const problems: string[] = [];
  for (const { setting, port } of ports) {
    if (port === 0 || !(await isPortInUse(port))) continue;
    problems.push(portInUseMessage(setting, port, await portHolder(port)));
  }
  if (problems.length > 0) throw new Error(problems.join('\n'));
}

export function portInUseMessage(setting: string, port: number, holder: PortHolder | null): string {
  const fix = `set ${setting} to a free port`;
  const inUse = `127.0.0.1:${port} (${setting}) is already in use`;
  if (holder === null) return `${inUse}: ${fix}`;
  if (holder.kind === 'stack')
    return `${inUse} by an earlier Entra JIT stack (pid ${holder.pid}): stop it with \`kill -INT ${holder.pid}\`, or ${fix}`;
  if (holder.kind === 'azurite') {
    const serving = holder.location === undefined ? '' : `, serving ${holder.location}`;
    return `${inUse} by an Azurite left by an earlier Entra JIT stack (pid ${holder.pid}${serving}): stop it with \`kill ${holder.pid}\`, or ${fix}`;
  }
  return `${inUse} by pid ${holder.pid} (${holder.command}): stop it, or ${fix}`;
}

export type PortHolder =
  | { readonly kind: 'stack'; readonly pid: number }
  | { readonly kind: 'azurite'; readonly pid: number; readonly location: string | undefined }
  | { readonly kind: 'other'; readonly pid: number; readonly command: string };

/**
 * The process listening on 127.0.0.1:port, read from /proc (Linux; elsewhere, or for another
 * user's process, null: the message then names only the setting).
 */
export async function portHolder(port: number): Promise<PortHolder | null> {
  try {
    const inodes = new Set<string>();
    for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
      const text = await readFile(table, 'utf8').catch(() => '');
      for (const line of text.split('\n').slice(1)) {
        const fields = line.trim().split(/\s+/);
        const local = fields[1];
        const inode = fields[9];
        // st 0A is LISTEN; the local address ends in the port in hex.
        if (local === undefined || inode === undefined || fields[3] !== '0A') continue;
        if (Number.parseInt(local.split(':').at(-1) ?? '', 16) === port) inodes.add(`socket:[${inode}]`);
      }
    }
    if (inodes.size === 0) return null;
    for (const entry of await readdir('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const fds = await readdir(`/proc/${entry}/fd`).catch(() => [] as string[]);
      for (const fd of fds) {
        const target = await readlink(`/proc/${entry}/fd/${fd}`).catch(() => '');
        if (inodes.has(target)) return describeProcess(Number(entry));
      }
    }
    return null;
  } catch {
    return null;
  }
}

async function describeProcess(pid: number): Promise<PortHolder> {
  const args = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0').filter((a) => a !== '');
  if (args.some((a) => a.endsWith('local/start.js'))) return { kind: 'stack', pid };
  if (args.some((a) => a.includes('azurite') && a.endsWith('table/main.js'))) {
    const at = args.indexOf('--location');
    return { kind: 'azurite', pid, location: at >= 0 ? args[at + 1] : undefined };
  }
  return { kind: 'other', pid, command: args.join(' ').slice(0, 200) };
}
