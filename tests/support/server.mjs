// Starts a Xunfang server of our own and waits until it is ready: the one JS copy, shared by
// the end-to-end tests (tests/e2e/helpers.mjs) and the bench (tests/bench/lib.mjs).
//
// The server prints `Xunfang is running at http://ADDR/` once it listens and has warmed its
// static files (crates/server/src/main.rs); xtask/src/server.rs waits for the same line. Node
// built-ins only: tests/e2e and tests/bench have node_modules of their own, and both import this.

import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** What the server prints, followed by its URL, when it is ready. */
export const READY_LINE = 'Xunfang is running at ';

/**
 * Runs `bin serve` on 127.0.0.1:`port` (0 picks a free one; an earlier server's port keeps the
 * same origin) serving `dist`, with its database in `data` (a fresh temporary dir unless given).
 * Resolves once the server is ready, to `{ url, port, data, token(team), stop({ keep }) }`:
 * `token` creates an access token with the binary's `token create`; `stop` ends the server and
 * removes its data dir unless `keep`. `stderr` is the server's stderr: 'inherit' or 'ignore'.
 * `args` are more `serve` flags (e.g. `--http-bind`); the URL is https when the server serves TLS.
 */
export async function startServer({ bin, dist, port = 0, data, tmpPrefix = 'xunfang-server-', stderr = 'inherit', args = [] }) {
  const dir = data ?? (await mkdtemp(join(tmpdir(), tmpPrefix)));
  const child = spawn(bin, ['serve', '--bind', `127.0.0.1:${port}`, '--dist', dist, '--data', dir, ...args], {
    stdio: ['ignore', 'pipe', stderr],
  });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start within 30 s: ${out}`)), 30_000);
    const ready = new RegExp(`${READY_LINE}(https?://[^\\s]+)`);
    const onData = (chunk) => {
      out += chunk;
      const m = out.match(ready);
      if (m) {
        clearTimeout(timer);
        // Keep reading (and dropping) what it prints, so a full pipe never blocks it.
        child.stdout.off('data', onData);
        child.stdout.resume();
        resolve(m[1].replace(/\/+$/, ''));
      }
    };
    child.stdout.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${out}`));
    });
  });
  const running = () => child.exitCode === null && child.signalCode === null;
  return {
    url,
    port: Number(new URL(url).port),
    data: dir,
    token(team) {
      const r = spawnSync(bin, ['token', 'create', '--team', team, '--data', dir], { encoding: 'utf8' });
      if (r.status !== 0) throw new Error(`token create failed: ${r.stderr}`);
      return r.stdout.split('\n')[0].trim();
    },
    async stop({ keep = false } = {}) {
      if (running()) {
        const exited = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await exited;
      }
      if (!keep) await rm(dir, { recursive: true, force: true });
    },
  };
}
