import { connectionCounts, countConnections } from './connectionCounter';

/**
 * A preload that counts the connections a process opens and prints the totals to stderr at exit:
 * `node -r ./dist/bench/countConnections.js dist/bench/run.js --leases 50 --skip-api`. The bench
 * starts itself again to trust the sandbox's CA (keeping Node's flags, so the preload too): the
 * child's line is the app's; the sandbox and Azurite run without it.
 */
countConnections();
process.on('exit', () => {
  const c = connectionCounts();
  process.stderr.write(
    `connections opened by process ${process.pid}: ${c.plain} plain, ${c.tls} TLS ${JSON.stringify(c.tlsByOpener)} ${JSON.stringify(c.tlsByHost)}\n`,
  );
});
