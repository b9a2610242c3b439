// When the passcode lock closes, in Chromium with the page's clock under the
// test's control (playwright's page.clock: minutes pass in a jump, nothing
// waits for them): after N idle minutes and not before, with the typed draft
// saved; after the app was hidden longer than N minutes and not after a
// shorter absence; what reaches the server while locked, with the office's
// "keep syncing while locked" off and on; the lock screen and the passcode
// settings in English; a set-up link opened while locked; removing the
// passcode while the list and a sync read.
//
// Headless Chromium keeps every tab "visible" (another tab brought to the
// front, a minimised window and Page.setWebLifecycleState change nothing),
// so the hidden test sets document.visibilityState and fires the
// visibilitychange event a real browser fires, and moves the clock between.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { launch, startServer, waitForApp } from './helpers.mjs';
import { seed, seededPage } from './seed.mjs';
import { activities, people } from '../bench/gen.mjs';

const PIN = '480217';
const MINUTE = 60_000;

/** Sets the PIN in settings (Chinese UI) with the given lock policy. */
async function setPin(page, { idle = 5, maxTries = 10, syncLocked = false } = {}) {
  await page.getByRole('link', { name: '设置' }).click();
  await page.locator('#passcode-kind').selectOption('pin');
  await page.locator('#passcode-new').fill(PIN);
  await page.locator('#passcode-again').fill(PIN);
  await page.locator('#passcode-idle').fill(String(idle));
  await page.locator('#passcode-tries').fill(String(maxTries));
  await page.locator('#passcode-sync-locked').setChecked(syncLocked);
  await page.getByRole('button', { name: '设置密码' }).click();
  await page.getByTestId('passcode-outcome').filter({ hasText: '已保存。' }).waitFor({ timeout: 60_000 });
}

async function unlock(page, { label = '输入密码解锁', button = '解锁', secret = PIN } = {}) {
  const screen = page.getByTestId('lock-screen');
  await screen.waitFor({ timeout: 30_000 });
  await screen.getByLabel(label).fill(secret);
  await screen.getByRole('button', { name: button }).click();
}

/** Whether the lock screen shows (the full screen after a reload, or the cover over a running app). */
const lockShown = (page) => page.getByTestId('lock-screen').isVisible();

/**
 * Gives the app a moment to act on what the clock just fired: the lock's own
 * work (saving drafts, then a reload or the cover) is a few IndexedDB writes,
 * done well within this. Only ever used before asserting that NOTHING happened;
 * every positive outcome is waited for.
 */
async function settle(page) {
  await page.waitForTimeout(1_500);
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
}

/** A page whose clock the test moves; the first sync done, `n` activities on the tablet. */
async function clockedPage(context, server, { n = 3 } = {}) {
  const first = context.pages()[0] ?? (await context.newPage());
  // Installed before the app loads, so its timers (the lock's check, the periodic sync) are the fake ones.
  await first.clock.install();
  const roster = people(12);
  const docs = activities(n, roster);
  docs[0].body.title = '走访石门乡王秀英家庭农场';
  return seededPage(context, server, [...roster, ...docs]);
}

/** Counts the app's requests to the server's API from now on (page and service worker alike). */
function countApi(context) {
  const seen = [];
  context.on('request', (r) => {
    if (new URL(r.url()).pathname.startsWith('/api/')) seen.push(r.url());
  });
  return seen;
}

/** The page as a browser shows it when the tab goes to the background (`hidden`) or comes back. */
async function setHidden(page, hidden) {
  await page.evaluate((hidden) => {
    Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hidden ? 'hidden' : 'visible') });
    Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
    document.dispatchEvent(new Event('visibilitychange', { bubbles: true }));
  }, hidden);
}

test('idle lock: not before N minutes without use, at N minutes; the typed draft is saved first and is there after unlock and reload', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const page = await clockedPage(context, server);
    await setPin(page, { idle: 2 });
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card', { hasText: '走访石门乡王秀英家庭农场' }).click();
    const typed = '锁定前输入：村道塌方三处，已拍照';
    await page.getByLabel('内容', { exact: true }).fill(typed);
    let loads = 0;
    page.on('load', () => loads++);

    // 1 min 50 s without a touch: still open (the check runs every 10 s, so it has looked).
    await page.clock.fastForward(MINUTE + 50_000);
    await page.clock.runFor(5_000);
    await settle(page);
    assert.equal(await lockShown(page), false, 'not locked before 2 minutes');
    assert.equal(loads, 0, 'no reload before 2 minutes');
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), typed);

    // Past 2 minutes: locked (without "sync while locked" the page reloads to the lock screen).
    await page.clock.fastForward(20_000);
    await page.getByTestId('lock-screen').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('#notes').count(), 0, 'nothing of the record shows while locked');
    await unlock(page);
    await page.getByLabel('内容', { exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), typed, 'the draft was saved before the lock');

    await page.reload();
    await waitForApp(page);
    await unlock(page);
    await page.getByLabel('内容', { exact: true }).waitFor({ timeout: 30_000 });
    assert.equal(await page.getByLabel('内容', { exact: true }).inputValue(), typed, 'and it is stored: there after a reload');
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});

test('hidden lock: hidden shorter than N minutes stays open, hidden longer locks when shown again', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const page = await clockedPage(context, server);
    await setPin(page, { idle: 3 });
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card').first().waitFor();
    const now = async () => page.evaluate(() => Date.now());

    // Hidden 2 minutes: the clock moves without firing a timer (a background tab's timers
    // are throttled or frozen), so only the return is seen.
    await setHidden(page, true);
    await page.clock.setSystemTime((await now()) + 2 * MINUTE);
    await setHidden(page, false);
    await settle(page);
    assert.equal(await lockShown(page), false, 'hidden 2 of 3 minutes: still open');

    // The return counted as use: 2 more minutes on screen do not lock either (4 in all since the last touch).
    await page.clock.fastForward(2 * MINUTE);
    await settle(page);
    assert.equal(await lockShown(page), false, 'back on screen 2 minutes: still open');

    // Hidden 3 min 10 s: locked the moment it is shown.
    await setHidden(page, true);
    await page.clock.setSystemTime((await now()) + 3 * MINUTE + 10_000);
    await setHidden(page, false);
    await page.getByTestId('lock-screen').waitFor({ timeout: 30_000 });
    assert.equal(await page.locator('.record-card').count(), 0, 'no record shows behind the lock');
    await unlock(page);
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card').first().waitFor({ timeout: 30_000 });
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});

test('"keep syncing while locked" off: no request reaches the server while locked; on: another tablet\'s record arrives while locked', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    // Made before the app runs: `token create` opens the server's database beside the running server.
    const token = server.token('e2e');
    const page = await clockedPage(context, server);
    const roster = people(12); // the generator draws up to 10 distinct participants from it
    // The generator is deterministic: the tablet holds activities(3); the other tablet's are the 4th and the 5th.
    let made = 3;
    const fromOther = (title) => {
      made += 1;
      const doc = activities(made, roster)[made - 1];
      doc.body.title = title;
      return [...roster, doc];
    };

    // Off: locked, the other tablet pushes, 12 minutes pass (two periodic syncs' worth): nothing asked.
    await setPin(page, { idle: 2, syncLocked: false });
    await page.getByRole('button', { name: '立即锁定' }).click();
    await page.getByTestId('lock-screen').waitFor({ timeout: 30_000 });
    const whileOff = countApi(context);
    await seed(server, token, fromOther('另一台平板：锁定时不同步'));
    await page.clock.fastForward(6 * MINUTE);
    await page.clock.fastForward(6 * MINUTE);
    await settle(page);
    assert.deepEqual(whileOff, [], 'no request while locked without "sync while locked"');
    await unlock(page);
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card', { hasText: '另一台平板：锁定时不同步' }).waitFor({ timeout: 30_000 });
    assert.ok(whileOff.length > 0, 'the app syncs again once unlocked (the count could see requests)');

    // On: locked (the cover over the running app), the other tablet pushes, a periodic sync brings it.
    await page.getByRole('link', { name: '设置' }).click();
    await page.locator('#passcode-sync-locked').setChecked(true);
    await page.getByRole('button', { name: '保存锁定设置' }).click();
    await page.getByTestId('passcode-outcome').filter({ hasText: '已保存。' }).waitFor();
    await page.getByRole('button', { name: '立即锁定' }).click();
    await page.getByTestId('lock-screen').waitFor({ timeout: 30_000 });
    const whileOn = countApi(context);
    const lastOk = await page.getByTestId('sync-status').getAttribute('data-last-ok');
    await seed(server, token, fromOther('另一台平板：锁定时也同步'));
    await page.clock.fastForward(6 * MINUTE);
    await page.waitForFunction(
      (prev) => {
        const el = document.querySelector('[data-testid=sync-status]');
        return el && el.dataset.running === 'false' && el.dataset.lastOk !== prev;
      },
      lastOk,
      { timeout: 30_000 },
    );
    assert.ok(await lockShown(page), 'still locked while it synced');
    assert.ok(whileOn.some((u) => u.includes('/api/sync')), `a sync reached the server while locked: ${whileOn.join(' ')}`);
    const sent = whileOn.length;
    await unlock(page);
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.locator('.record-card', { hasText: '另一台平板：锁定时也同步' }).waitFor({ timeout: 30_000 });
    assert.equal(whileOn.length, sent, 'the record came with the sync made while locked, none after');
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});

/** Any Chinese character, a text key of the table (CamelCase like `LockWrong`), or a debug dump. */
function notEnglish(text) {
  const found = [];
  const han = text.match(/[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+/g);
  if (han) found.push(`Chinese: ${han.join(' ')}`);
  const keys = text.match(/\b(?:Lock|Passcode|Sync|Unlock)[A-Z][A-Za-z]+\b/g);
  if (keys) found.push(`keys: ${keys.join(' ')}`);
  const dumps = text.match(/StoreError|JsValue|Error\(|TypeError|\{|\}|wasm-function|undefined|null/g);
  if (dumps) found.push(`dumps: ${dumps.join(' ')}`);
  return found;
}

test('in English: the passcode settings, the lock screen, the wrong-passcode message, the delay and the warning', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const page = await clockedPage(context, server);
    await setPin(page, { maxTries: 5 });
    await page.locator('#language').selectOption('en');
    const settings = page.locator('section.passcode-settings');
    await settings.getByText('This tablet has a passcode').waitFor();
    // A refused new passcode says why in English.
    await page.getByLabel('New passcode', { exact: true }).fill('246813');
    await page.getByLabel('The new passcode again').fill('999999');
    await page.getByRole('button', { name: 'Change passcode' }).click();
    await page.getByTestId('passcode-outcome').filter({ hasText: 'differ' }).waitFor();
    assert.deepEqual(notEnglish(await settings.innerText()), [], 'passcode settings in English');
    await page.getByRole('button', { name: 'Remove passcode' }).click();
    const dialog = page.getByRole('alertdialog');
    await dialog.waitFor();
    assert.deepEqual(notEnglish(await dialog.innerText()), [], 'the remove confirmation in English');
    await dialog.getByRole('button', { name: 'Cancel' }).click();

    await page.getByRole('button', { name: 'Lock now' }).click();
    const screen = page.getByTestId('lock-screen');
    await screen.getByRole('heading', { name: 'Xunfang is locked' }).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
    assert.deepEqual(notEnglish(await screen.innerText()), [], 'the lock screen in English');

    const wrong = async (secret) => {
      await unlock(page, { label: 'Enter the passcode to unlock', button: 'Unlock', secret });
      await page.waitForFunction(() => !document.querySelector('[data-testid=lock-message]')?.textContent.includes('Checking'), undefined, { timeout: 60_000 });
    };
    await wrong('135791');
    await page.getByTestId('lock-message').filter({ hasText: 'Wrong passcode.' }).waitFor();
    await wrong('135792');
    await page.getByTestId('lock-warning').filter({ hasText: '3 more wrong tries erase this tablet' }).waitFor();
    await wrong('135793');
    await wrong('135794');
    // The fourth wrong try in a row: a 5-second wait before the next, and the warning.
    await page.getByTestId('lock-wait').filter({ hasText: 'seconds until the next try' }).waitFor();
    await page.getByTestId('lock-warning').filter({ hasText: '1 more wrong tries erase this tablet' }).waitFor();
    assert.equal(await screen.getByRole('button', { name: 'Unlock' }).isDisabled(), true, 'no try during the wait');
    assert.deepEqual(notEnglish(await screen.innerText()), [], 'the wrong-try message, the wait and the warning in English');

    await page.clock.fastForward(6_000);
    await page.getByTestId('lock-wait').waitFor({ state: 'detached' });
    await unlock(page, { label: 'Enter the passcode to unlock', button: 'Unlock' });
    await page.getByRole('link', { name: 'Records' }).first().waitFor({ timeout: 30_000 });
    await page.getByRole('link', { name: 'Records' }).first().click();
    await page.locator('.record-card').first().waitFor({ timeout: 30_000 });
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});

/** The sync token the app uses now, from its settings form (after unlock). */
async function tokenInUse(page) {
  await page.getByRole('link', { name: '设置' }).click();
  return page.locator('#sync-token').inputValue();
}

test('a set-up link opened while locked waits, in memory only, for the unlock, then goes through the usual confirmation', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    // Made before the app runs: `token create` opens the server's database beside the running server.
    const tokens = [server.token('e2e'), server.token('e2e'), server.token('e2e')];
    const page = await seededPage(context, server, people(3));
    await setPin(page);
    const link = (token) => `${server.url}/settings#sync=${encodeURIComponent(server.url)}&token=${encodeURIComponent(token)}&mode=native`;
    const storedText = () => page.evaluate(() => JSON.stringify(Object.entries(localStorage)));

    for (const [from, how] of [
      ['/settings', 'opened onto the locked settings screen (only the fragment changes: no new document)'],
      ['/', 'opened into the locked app from another screen (a new document)'],
    ]) {
      await page.goto(server.url + from);
      await waitForApp(page);
      await page.getByTestId('lock-screen').waitFor();
      const token = tokens.pop();
      await page.goto(link(token));
      await waitForApp(page);
      // The lock screen says a link waits; the token left the address bar and is nowhere on disk.
      const said = await page
        .getByTestId('lock-link-waiting')
        .waitFor({ timeout: 10_000 })
        .then(() => true, () => false);
      assert.ok(!page.url().includes(token), `${how}: the token left the address bar (${page.url()})`);
      assert.ok(!(await storedText()).includes(token), `${how}: the token is not stored in the clear while locked`);
      await unlock(page);
      const offer = page.getByTestId('setup-offer');
      await offer.waitFor({ timeout: 30_000 });
      await offer.getByRole('button', { name: '使用这些设置' }).click();
      await page.getByText('已保存，正在同步。').waitFor({ timeout: 30_000 });
      assert.equal(await tokenInUse(page), token, `${how}: the link's token is in use after the unlock`);
      assert.ok(!(await storedText()).includes(token), `${how}: and stored sealed`);
      assert.ok(said, `${how}: the lock screen said the link waits for the unlock`);
    }

    // With "keep syncing while locked" the lock covers the running app: a link opened onto
    // it is not used behind the cover either (nothing re-points a locked tablet), only after the unlock.
    await page.locator('#passcode-sync-locked').setChecked(true);
    await page.getByRole('button', { name: '保存锁定设置' }).click();
    await page.getByTestId('passcode-outcome').filter({ hasText: '已保存。' }).waitFor();
    await page.getByRole('button', { name: '立即锁定' }).click();
    await page.getByTestId('lock-screen').waitFor();
    const token = tokens.pop();
    await page.goto(link(token));
    await page.getByTestId('lock-link-waiting').waitFor({ timeout: 10_000 });
    assert.ok(!page.url().includes(token), `covered: the token left the address bar (${page.url()})`);
    assert.ok(!(await storedText()).includes(token), 'covered: the token is not stored in the clear while locked');
    await unlock(page);
    const offer = page.getByTestId('setup-offer');
    await offer.waitFor({ timeout: 30_000 });
    assert.notEqual(await page.locator('#sync-token').inputValue(), token, 'covered: nothing was applied before the confirmation');
    await offer.getByRole('button', { name: '使用这些设置' }).click();
    // This is still the document of the second round above, whose "已保存，正在同步。" may be on it:
    // that text says nothing about this click. Wait for the field itself (the assert below says if it never comes).
    await page.waitForFunction((t) => document.querySelector('#sync-token')?.value === t, token, { timeout: 30_000 }).catch(() => {});
    assert.equal(await page.locator('#sync-token').inputValue(), token, 'covered: the link\'s token is in use after the unlock');
    await page.getByText('已保存，正在同步。').waitFor({ timeout: 30_000 });
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});

test('removing the passcode while the list and a sync read: neither fails, everything readable after', async () => {
  const server = await startServer();
  const context = await launch();
  try {
    const roster = people(20);
    const page = await seededPage(context, server, [...roster, ...activities(1500, roster)]);
    await setPin(page);
    // Work waiting to be sent: the sync reads the (sealed) outbox too.
    await page.getByRole('link', { name: '活动记录' }).click();
    await page.getByRole('button', { name: '新建记录' }).click();
    await page.getByLabel('标题', { exact: true }).fill('取消密码时待发送的记录');
    await page.locator('[data-saved="true"]').waitFor({ timeout: 10_000 });
    await page.getByRole('link', { name: '设置' }).click();
    await page.getByRole('button', { name: '取消密码' }).click();
    await page.getByRole('alertdialog').getByRole('button', { name: '取消密码' }).click();
    // At once, while every value is being rewritten: the list reads, and a sync starts.
    await page.getByRole('link', { name: '活动记录' }).click();
    const syncButton = page.getByTestId('sync-status').getByRole('button', { name: '立即同步' });
    if (await syncButton.isVisible()) await syncButton.click();
    await page.waitForFunction(() => localStorage.getItem('xunfang.vault') === null, undefined, { timeout: 120_000 });
    await page.locator('.record-card').first().waitFor({ timeout: 30_000 });
    const alerts = await page.locator('main [role=alert]').allInnerTexts();
    assert.deepEqual(alerts, [], 'the list read during the removal did not fail');
    const synced = await page
      .getByTestId('sync-status')
      .filter({ hasText: '全部已同步' })
      .waitFor({ timeout: 60_000 })
      .then(() => true, () => false);
    assert.ok(synced, `the sync started during the removal went through: ${await page.getByTestId('sync-status').innerText().catch((e) => e.message)}`);
    // Stored as it is now, and it all reads after a reload.
    await page.reload();
    await waitForApp(page);
    assert.equal(await page.getByTestId('lock-screen').count(), 0);
    await page.locator('.record-card', { hasText: '取消密码时待发送的记录' }).waitFor({ timeout: 30_000 });
    assert.deepEqual(await page.locator('main [role=alert]').allInnerTexts(), []);
  } finally {
    await context.cleanup().catch(() => {});
    await server.stop().catch(() => {});
  }
});
