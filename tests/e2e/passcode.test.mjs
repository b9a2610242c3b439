// The passcode lock and encryption at rest (issue 17), in Chromium: with a
// passcode set, what IndexedDB and localStorage hold (read through the
// browser's own APIs, every store, every value, ArrayBuffers and Blobs as
// text) has no record text, no name and no token in the clear; a wrong
// passcode is refused; the lock survives a reload and a browser restart;
// unlocking works with the server gone (a sealed photo opens too); too many
// wrong tries erase the tablet.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startServer, waitForApp, waitForServiceWorker } from './helpers.mjs';
import { seededPage } from './seed.mjs';
import { activities, people } from '../bench/gen.mjs';

const PIN = '480217';
const TITLE = '走访石门乡王秀英家庭农场';
const NOTES = '反映村道塌方三处，已拍照';

/** Every value of every IndexedDB database and store, and localStorage, as one text. */
async function dumpStorage(page) {
  return page.evaluate(async () => {
    const decoder = new TextDecoder('utf-8', { fatal: false });
    const out = [];
    const text = async (v) => {
      if (v === null || v === undefined) return String(v);
      if (v instanceof Blob) return `blob:${await v.text()}`;
      if (v instanceof ArrayBuffer) return `bytes:${decoder.decode(v)}`;
      if (ArrayBuffer.isView(v)) return `bytes:${decoder.decode(v)}`;
      if (Array.isArray(v)) return `[${(await Promise.all(v.map(text))).join(',')}]`;
      if (typeof v === 'object') {
        const parts = [];
        for (const [k, x] of Object.entries(v)) parts.push(`${k}=${await text(x)}`);
        return `{${parts.join(',')}}`;
      }
      return String(v);
    };
    const req = (r) => new Promise((ok, fail) => ((r.onsuccess = () => ok(r.result)), (r.onerror = () => fail(r.error))));
    let values = 0;
    for (const { name } of await indexedDB.databases()) {
      const db = await req(indexedDB.open(name));
      for (const store of db.objectStoreNames) {
        const all = await req(db.transaction(store).objectStore(store).getAll());
        values += all.length;
        for (const v of all) out.push(`${name}/${store}: ${await text(v)}`);
      }
      db.close();
    }
    for (let i = 0; i < localStorage.length; i++) out.push(`localStorage ${localStorage.key(i)}: ${localStorage.getItem(localStorage.key(i))}`);
    return { text: out.join('\n'), values };
  });
}

async function setPin(page, { maxTries = 10 } = {}) {
  await page.getByRole('link', { name: '设置' }).click();
  await page.locator('#passcode-kind').selectOption('pin');
  await page.locator('#passcode-new').fill(PIN);
  await page.locator('#passcode-again').fill(PIN);
  await page.locator('#passcode-tries').fill(String(maxTries));
  await page.getByRole('button', { name: '设置密码' }).click();
  await page.getByTestId('passcode-outcome').filter({ hasText: '已保存。' }).waitFor({ timeout: 60_000 });
}

/** Types `secret` on the lock screen; returns the milliseconds the check took. */
async function tryPin(page, secret) {
  await page.getByTestId('lock-screen').waitFor({ timeout: 30_000 });
  await page.getByLabel('输入密码解锁').fill(secret);
  const started = Date.now();
  await page.getByRole('button', { name: '解锁' }).click();
  await page.waitForFunction(() => !document.querySelector('[data-testid=lock-message]')?.textContent.includes('正在核对'), undefined, { timeout: 60_000 });
  return Date.now() - started;
}

test('with a PIN set nothing readable is stored; the lock survives reload and restart, opens offline, and refuses a wrong PIN', async () => {
  const server = await startServer();
  const context = await launch();
  const dir = context.userDataDir;
  let again;
  try {
    const roster = people(12); // an activity takes up to 10 distinct participants
    const docs = activities(12, roster);
    Object.assign(docs[5].body, { title: TITLE, notes: NOTES });
    const { name, phone } = roster[0].body;
    const page = await seededPage(context, server, [...roster, ...docs]);
    await waitForServiceWorker(page);
    // A photo on the record: stored as a JPEG blob (its JFIF header shows in the dump) until the PIN is set.
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card', { hasText: TITLE }).click();
    const photo = await page.evaluate(() => {
      const c = Object.assign(document.createElement('canvas'), { width: 320, height: 240 });
      c.getContext('2d').fillStyle = '#3a6ea5';
      c.getContext('2d').fillRect(0, 0, 320, 240);
      return c.toDataURL('image/jpeg', 0.9).split(',')[1];
    });
    await page.locator('#choose-photo').setInputFiles({ name: 'IMG_0002.jpg', mimeType: 'image/jpeg', buffer: Buffer.from(photo, 'base64') });
    await page.getByTestId('photo-img').first().waitFor({ timeout: 20_000 });
    const token = JSON.parse(await page.evaluate(() => localStorage.getItem('xunfang.sync'))).token;
    const before = await dumpStorage(page);
    for (const secret of [TITLE, name, token, 'JFIF']) assert.ok(before.text.includes(secret), `before the PIN the dump holds ${secret} (the dump can see it)`);

    await setPin(page);
    await page.getByTestId('passcode-state').filter({ hasText: '已设置密码' }).waitFor();
    const after = await dumpStorage(page);
    assert.ok(after.values >= before.values, `every value is still there (${after.values} of ${before.values})`);
    for (const secret of [TITLE, NOTES, name, phone, token, PIN, 'JFIF']) assert.ok(!after.text.includes(secret), `no "${secret}" in the clear after the PIN is set`);

    // A reload shows the lock screen and nothing else; a wrong PIN is refused.
    await page.reload();
    await waitForApp(page);
    await page.getByTestId('lock-screen').waitFor();
    assert.equal(await page.locator('.record-card').count(), 0);
    await tryPin(page, '135791');
    await page.getByTestId('lock-message').filter({ hasText: '密码不对' }).waitFor();
    const ms = await tryPin(page, PIN);
    console.log(`# unlock with PBKDF2-SHA-256 600,000 rounds took ${ms} ms`);
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card', { hasText: TITLE }).waitFor();

    // "Lock now", then the server goes away and the browser restarts: still locked, opens offline.
    await page.getByRole('link', { name: '设置' }).click();
    await page.getByRole('button', { name: '立即锁定' }).click();
    await page.getByTestId('lock-screen').waitFor();
    await context.close();
    await server.stop();
    again = await launch({ userDataDir: dir, offline: true });
    const p2 = again.pages()[0] ?? (await again.newPage());
    await p2.goto(server.url + '/');
    await waitForApp(p2);
    await tryPin(p2, PIN);
    await p2.getByRole('link', { name: '活动记录' }).click();
    await p2.locator('.record-card', { hasText: TITLE }).click();
    // The sealed photo opens again (offline: it can only come from IndexedDB).
    await p2.getByTestId('photo-img').first().waitFor({ timeout: 20_000 });
    const stillSealed = await dumpStorage(p2);
    for (const secret of [TITLE, name, token, 'JFIF']) assert.ok(!stillSealed.text.includes(secret), `no "${secret}" in the clear after the restart`);
  } finally {
    await again?.close().catch(() => {});
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});

test('after a warning, too many wrong PINs erase the tablet', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const roster = people(12);
    const docs = activities(3, roster);
    docs[0].body.title = TITLE;
    const page = await seededPage(context, server, [...roster, ...docs]);
    await setPin(page, { maxTries: 3 });
    await page.reload();
    await waitForApp(page);
    await tryPin(page, '135791');
    await page.getByTestId('lock-warning').filter({ hasText: '再输错 2 次' }).waitFor();
    // The warning survives a reload (the count is stored).
    await page.reload();
    await waitForApp(page);
    await page.getByTestId('lock-warning').filter({ hasText: '再输错 2 次' }).waitFor();
    await tryPin(page, '135792');
    await page.getByTestId('lock-warning').filter({ hasText: '再输错 1 次' }).waitFor();
    await page.getByLabel('输入密码解锁').fill('135793');
    await page.getByRole('button', { name: '解锁' }).click();
    // Erased: the app starts empty, no lock screen, nothing stored.
    await page.waitForFunction(() => localStorage.getItem('xunfang.vault') === null && !document.querySelector('[data-testid=lock-screen]'), undefined, {
      timeout: 60_000,
    });
    await waitForApp(page);
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.getByRole('button', { name: '新建记录' }).waitFor();
    const left = await dumpStorage(page);
    assert.ok(!left.text.includes('sealed') && !left.text.includes(TITLE), `nothing of the old data is left: ${left.text.slice(0, 400)}`);
    assert.equal(await page.locator('.record-card').count(), 0);
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});

test('on a plain-http office address (no Web Crypto) the passcode form says it needs https, in Chinese and English, and sets nothing', async () => {
  const server = await startServer();
  const context = await launch({ args: ['--host-resolver-rules=MAP office.test 127.0.0.1'] });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`http://office.test:${new URL(server.url).port}/settings`);
    await waitForApp(page);
    const attempt = async (button, needsHttps) => {
      await page.locator('#passcode-kind').selectOption('pin');
      await page.locator('#passcode-new').fill(PIN);
      await page.locator('#passcode-again').fill(PIN);
      await page.getByRole('button', { name: button }).click();
      await page.getByTestId('passcode-outcome').filter({ hasText: needsHttps }).waitFor({ timeout: 20_000 });
      const shown = await page.getByTestId('passcode-outcome').innerText();
      assert.ok(!/TypeError|JsValue|wasm-function/.test(shown), `a message, not a debug dump: ${shown}`);
      assert.equal(await page.evaluate(() => localStorage.getItem('xunfang.vault')), null, 'no passcode was set');
    };
    await attempt('设置密码', 'https');
    await page.getByRole('button', { name: 'English' }).click();
    await attempt('Set passcode', 'https');
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});
