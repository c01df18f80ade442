import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { generate } from 'selfsigned';

/**
 * The local stack's TLS material: a CA made once per state directory and a server certificate for
 * 127.0.0.1/localhost signed by it. Processes trust the CA through NODE_EXTRA_CA_CERTS (set by the
 * launcher before they start); certificate checks are never turned off.
 */
export interface LocalTls {
  readonly caPath: string;
  readonly caPem: string;
  readonly keyPem: string;
  readonly certPem: string;
}

export async function ensureLocalTls(dir: string): Promise<LocalTls> {
  await mkdir(dir, { recursive: true });
  const caPath = join(dir, 'ca.pem');
  const caKeyPath = join(dir, 'ca-key.pem');
  const keyPath = join(dir, 'server-key.pem');
  const certPath = join(dir, 'server.pem');
  if (![caPath, caKeyPath, keyPath, certPath].every((p) => existsSync(p))) {
    const notAfterDate = new Date(Date.now() + 365 * 24 * 3600 * 1000);
    const ca = await generate([{ name: 'commonName', value: 'Entra JIT local stack CA' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate,
      extensions: [
        { name: 'basicConstraints', cA: true, critical: true },
        { name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true },
      ],
    });
    const server = await generate([{ name: 'commonName', value: 'localhost' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notAfterDate,
      ca: { key: ca.private, cert: ca.cert },
      extensions: [
        { name: 'basicConstraints', cA: false },
        { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
        { name: 'extKeyUsage', serverAuth: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    await writeFile(caKeyPath, ca.private, { mode: 0o600 });
    await writeFile(keyPath, server.private, { mode: 0o600 });
    await writeFile(certPath, server.cert);
    await writeFile(caPath, ca.cert);
  }
  const [caPem, keyPem, certPem] = await Promise.all([
    readFile(caPath, 'utf8'),
    readFile(keyPath, 'utf8'),
    readFile(certPath, 'utf8'),
  ]);
  return { caPath, caPem, keyPem, certPem };
}
