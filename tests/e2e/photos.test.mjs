// Photos and position end to end: a photo attached offline reaches the server
// once online (an upload cut midway is resumed), a second tablet sees the
// record and loads the photo on demand; "use my position" stores the
// position, and a refused permission gives a message while the record saves.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startServer, syncNow, waitForApp } from './helpers.mjs';

const saved = (page) => page.locator('[data-saved="true"]').waitFor({ timeout: 10_000 });

/** A camera-like JPEG made in the browser (gradient and texture). */
async function jpeg(page, w, h) {
  const b64 = await page.evaluate(
    ([w, h]) => {
      const c = document.createElement('canvas');
      c.width = w;
      c.height = h;
      const x = c.getContext('2d');
      const g = x.createLinearGradient(0, 0, w, h);
      g.addColorStop(0, '#3a6ea5');
      g.addColorStop(1, '#6b4f2a');
      x.fillStyle = g;
      x.fillRect(0, 0, w, h);
      for (let i = 0; i < 3000; i++) {
        x.fillStyle = `hsl(${(i * 37) % 360},40%,${20 + (i % 60)}%)`;
        x.fillRect((i * 7919) % w, (i * 104729) % h, 20, 12);
      }
      return c.toDataURL('image/jpeg', 0.92).split(',')[1];
    },
    [w, h],
  );
  return Buffer.from(b64, 'base64');
}

async function tablet(setup, options = {}) {
  const context = await launch(options);
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(setup);
  await waitForApp(page);
  await page.getByRole('button', { name: '使用这些设置' }).click();
  await page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.lastOk, undefined, { timeout: 30_000 });
  return { context, page };
}

async function serverDocs(server, token) {
  const r = await fetch(`${server.url}/api/sync`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ protocol: 1, device: 'e2e-check', cursor: null, push: [] }),
  });
  return (await r.json()).docs;
}

test('a photo attached offline reaches the server, resumes a cut upload, and loads on another tablet', async () => {
  const server = await startServer();
  const token = server.token('office');
  const setup = `${server.url}/settings?sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
  const a = await tablet(setup);
  let b;
  try {
    const photo = await jpeg(a.page, 4000, 3000);
    await a.page.getByRole('link', { name: '活动记录' }).click();
    await a.page.getByRole('button', { name: '新建记录' }).click();
    await a.page.getByLabel('标题', { exact: true }).fill('视察危房改造现场');
    await saved(a.page);

    // Offline, in the village.
    await a.context.setOffline(true);
    await a.page.locator('#choose-photo').setInputFiles({ name: 'IMG_0001.jpg', mimeType: 'image/jpeg', buffer: photo });
    await a.page.getByTestId('photo-img').first().waitFor({ timeout: 20_000 });
    await a.page.getByLabel('照片说明').fill('墙体裂缝');
    await saved(a.page);

    // Back online, but the first photo upload is cut off.
    let cut = 0;
    await a.page.route('**/api/blobs/**', (route) => {
      if (route.request().method() === 'PUT' && cut === 0) {
        cut += 1;
        return route.abort('connectionreset');
      }
      return route.continue();
    });
    await a.context.setOffline(false);
    await a.page.getByTestId('sync-status').getByRole('button', { name: '立即同步' }).click();
    await a.page.waitForFunction(() => document.querySelector('[data-testid=sync-status]')?.dataset.running === 'false');
    await syncNow(a.page, { allSent: false });
    assert.equal(cut, 1, 'one upload was cut');

    const docs = await serverDocs(server, token);
    const record = docs.find((d) => d.body && d.body.title === '视察危房改造现场');
    assert.ok(record, 'the record reached the server');
    const [ref] = record.body.photos;
    assert.equal(ref.caption, '墙体裂缝');
    assert.equal(ref.width, 1600);
    for (const sha of [ref.sha256, ref.thumb_sha256]) {
      const head = await fetch(`${server.url}/api/blobs/${sha}`, { method: 'HEAD', headers: { authorization: `Bearer ${token}` } });
      assert.equal(head.status, 200, `the server has ${sha}`);
    }
    console.log(`# a 12 MP test photo is stored as ${ref.bytes} bytes (1600×1200 JPEG)`);

    // The storage screen counts the photo and its thumbnail.
    await a.page.getByRole('link', { name: '设置' }).click();
    assert.match(await a.page.getByTestId('photo-usage').innerText(), /^2 张照片/);

    // Another tablet sees the record and loads the photo on demand.
    b = await tablet(setup);
    await b.page.getByRole('link', { name: '活动记录' }).click();
    await b.page.locator('.record-card', { hasText: '视察危房改造现场' }).click();
    await b.page.getByTestId('photo-img').first().waitFor({ timeout: 20_000 });
    await b.page.locator('.photo .thumb').first().click();
    await b.page.getByRole('dialog').getByTestId('photo-img').waitFor({ timeout: 20_000 });
  } finally {
    await a.context.cleanup();
    if (b) await b.context.cleanup();
    await server.stop();
  }
});

test('use my position stores it; a refused permission says so and the record still saves', async () => {
  const server = await startServer();
  const allowed = await launch();
  const refused = await launch();
  try {
    await allowed.grantPermissions(['geolocation'], { origin: server.url });
    await allowed.setGeolocation({ latitude: 35.0264, longitude: 111.0077, accuracy: 12 });
    const page = allowed.pages()[0] ?? (await allowed.newPage());
    await page.goto(server.url + '/');
    await waitForApp(page);
    await page.getByRole('button', { name: '新建记录' }).click();
    await page.getByLabel('标题', { exact: true }).fill('走访村委会');
    await page.getByRole('button', { name: '使用我的位置' }).click();
    await page.getByTestId('position').waitFor();
    assert.match(await page.getByTestId('position').innerText(), /35\.02640, 111\.00770/);
    await saved(page);
    await page.reload();
    await waitForApp(page);
    await page.getByTestId('position').waitFor();

    const p2 = refused.pages()[0] ?? (await refused.newPage());
    await p2.goto(server.url + '/');
    await waitForApp(p2);
    await p2.getByRole('button', { name: '新建记录' }).click();
    await p2.getByLabel('标题', { exact: true }).fill('视察敬老院');
    await p2.getByRole('button', { name: '使用我的位置' }).click();
    await p2.getByText('没有获得定位权限').waitFor({ timeout: 30_000 });
    await saved(p2);
    await p2.reload();
    await waitForApp(p2);
    await p2.getByLabel('标题', { exact: true }).waitFor();
    assert.equal(await p2.getByLabel('标题', { exact: true }).inputValue(), '视察敬老院');
  } finally {
    await allowed.cleanup();
    await refused.cleanup();
    await server.stop();
  }
});
