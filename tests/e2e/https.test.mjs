// HTTPS on an office network without a domain (issue 14): certificates made by
// the real `xunfang-server tls init`, Chromium resolving office.test to loopback
// and trusting the generated CA by its key hash. Over https the app installs its
// service worker, restarts offline (the server stopped too: Chromium's offline
// switch does not cover the worker's own fetches) and hashes and stores a photo;
// over plain http on the same name it says in words that it cannot work offline.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { launch, SERVER_BIN, startServer, waitForApp, waitForServiceWorker } from './helpers.mjs';

const HOST = 'office.test';
const saved = (page) => page.locator('[data-saved="true"]').waitFor({ timeout: 10_000 });

/** `tls init` for office.test into a fresh data dir; the dir and the CA's SPKI hash it prints. */
async function officeCertificate() {
  const data = await mkdtemp(join(tmpdir(), 'xunfang-e2e-tls-'));
  const r = spawnSync(SERVER_BIN, ['tls', 'init', '--name', HOST, '--data', data], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  const spki = r.stdout.match(/CA public key SHA-256 \(base64\): (\S+)/)?.[1];
  assert.ok(spki, r.stdout);
  return { data, spki };
}

/** Chromium flags: office.test is this machine, and the office CA is trusted by its key. */
const officeNetwork = (spki) => [`--host-resolver-rules=MAP ${HOST} 127.0.0.1`, `--ignore-certificate-errors-spki-list=${spki}`];

/** A port nothing listens on now. */
function freePort() {
  return new Promise((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => ok(port));
    });
  });
}

/** A small camera-like JPEG made in the page. */
async function jpeg(page) {
  const b64 = await page.evaluate(() => {
    const c = document.createElement('canvas');
    c.width = 640;
    c.height = 480;
    const x = c.getContext('2d');
    for (let i = 0; i < 400; i++) {
      x.fillStyle = `hsl(${(i * 37) % 360},40%,${20 + (i % 60)}%)`;
      x.fillRect((i * 7919) % 640, (i * 104729) % 480, 40, 30);
    }
    return c.toDataURL('image/jpeg', 0.9).split(',')[1];
  });
  return Buffer.from(b64, 'base64');
}

/** The photos IndexedDB holds: each key and the SHA-256 of its stored bytes, both hex. */
async function storedPhotos(page) {
  return page.evaluate(async () => {
    const db = await new Promise((ok, fail) => {
      const r = indexedDB.open('xunfang');
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    const all = await new Promise((ok, fail) => {
      const r = db.transaction('photos').objectStore('photos').getAll();
      r.onsuccess = () => ok(r.result);
      r.onerror = () => fail(r.error);
    });
    db.close();
    const hex = (buf) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
    return Promise.all(all.map(async (p) => ({ key: p.sha256, hash: hex(await crypto.subtle.digest('SHA-256', await p.blob.arrayBuffer())) })));
  });
}

test('over https on office.test the app installs its worker, restarts offline and hashes and stores a photo', async () => {
  const { data, spki } = await officeCertificate();
  // No TLS flags: `serve` picks up DATA/tls, which `tls init` filled.
  let server = await startServer({ data });
  assert.match(server.url, /^https:\/\//, 'serve uses the certificate of tls init by default');
  const address = `https://${HOST}:${server.port}/`;
  const context = await launch({ args: officeNetwork(spki) });
  const dir = context.userDataDir;
  let again;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(address);
    await waitForApp(page);
    assert.equal(await page.evaluate(() => window.isSecureContext), true);
    await waitForServiceWorker(page);
    assert.equal(await page.locator('.insecure').count(), 0, 'no warning over https');

    // The server goes away, the network is cut, the browser restarts.
    await server.stop({ keep: true });
    server = null;
    await context.setOffline(true);
    await context.close();
    again = await launch({ userDataDir: dir, offline: true, args: officeNetwork(spki) });
    const p2 = again.pages()[0] ?? (await again.newPage());
    await p2.goto(address);
    await waitForApp(p2);
    await p2.getByRole('button', { name: '新建记录' }).click();
    await p2.getByLabel('标题', { exact: true }).fill('办公室网络上的走访');
    await saved(p2);
    await p2.locator('#choose-photo').setInputFiles({ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: await jpeg(p2) });
    await p2.getByTestId('photo-img').first().waitFor({ timeout: 20_000 });
    await saved(p2);
    // The photo and its thumbnail, each under the SHA-256 of its bytes.
    const photos = await storedPhotos(p2);
    assert.equal(photos.length, 2, JSON.stringify(photos));
    for (const { key, hash } of photos) {
      assert.match(key, /^[0-9a-f]{64}$/);
      assert.equal(key, hash);
    }
  } finally {
    if (server) await server.stop();
    if (again) await again.close();
    await context.cleanup();
    await rm(data, { recursive: true, force: true });
  }
});

test('over plain http on office.test the first screen says in words that this address cannot work offline', async () => {
  const server = await startServer();
  const context = await launch({ args: officeNetwork('AAAA') });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://${HOST}:${server.port}/`);
    await waitForApp(page);
    assert.equal(await page.evaluate(() => window.isSecureContext), false);
    const warning = page.getByRole('alert').filter({ hasText: '不是安全连接' });
    await warning.waitFor();
    assert.match(await warning.textContent(), /离线/);
    assert.equal(await warning.getByRole('link').getAttribute('href'), '/setup/ca');
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('alert').filter({ hasText: 'not a secure connection' }).waitFor();
  } finally {
    await context.cleanup();
    await server.stop();
  }
});

test('the plain-http port sends the browser to https and serves the set-up page before the CA is trusted', async () => {
  const { data, spki } = await officeCertificate();
  const httpPort = await freePort();
  const server = await startServer({ data, args: ['--http-bind', `127.0.0.1:${httpPort}`] });
  const context = await launch({ args: officeNetwork(spki) });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://${HOST}:${httpPort}/setup/ca`);
    await page.getByRole('heading', { name: '让平板信任办公室的证书' }).waitFor();
    assert.equal(await page.locator('.qr svg').count(), 1);
    await page.goto(`http://${HOST}:${httpPort}/`);
    await waitForApp(page);
    assert.equal(page.url(), `https://${HOST}:${server.port}/`);
  } finally {
    await context.cleanup();
    await server.stop();
  }
});
