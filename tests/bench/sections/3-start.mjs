// Section 3 of `cargo xtask bench`: start-up, a throttled first visit (4x CPU, 1.6 Mbit/s,
// 150 ms) and later starts offline from the service worker.

import { rm } from 'node:fs/promises';
import { firstPage, launch, log, median, ms, newProfile, notMeasured, openList, startServer, verdict } from '../lib.mjs';

async function throttle(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('Emulation.setCPUThrottlingRate', { rate: 4 });
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: 150,
    downloadThroughput: (1.6 * 1024 * 1024) / 8,
    uploadThroughput: (750 * 1024) / 8,
  });
  return cdp;
}

export async function startRuns(runs) {
  const first = [];
  const offline = [];
  const offlineThrottled = [];
  // First visits: a fresh profile each, 4x CPU, 1.6 Mbit/s, 150 ms.
  const server = await startServer();
  try {
    for (let i = 0; i < runs; i++) {
      const dir = await newProfile();
      const context = await launch(dir);
      try {
        const page = await firstPage(context);
        await throttle(context, page);
        const t = await openList(page, server.url + '/');
        first.push(t);
        log(`first visit ${i + 1}: h1 ${ms(t.h1)}, list usable ${ms(t.readyPainted)}`);
      } finally {
        await context.close().catch(() => {});
        await rm(dir, { recursive: true, force: true });
      }
    }
  } finally {
    await server.stop();
  }

  // Later starts: one online visit caches the app, then the server stops and
  // the browser restarts with the network off.
  const online = await startServer();
  const dir = await newProfile();
  try {
    const context = await launch(dir);
    const page = await firstPage(context);
    await openList(page, online.url + '/');
    await page.waitForFunction(() => navigator.serviceWorker && navigator.serviceWorker.controller !== null, undefined, { timeout: 60_000 });
    await context.close();
    await online.stop();
    for (let i = 0; i < runs * 2; i++) {
      const throttled = i >= runs;
      const ctx = await launch(dir, { offline: true });
      try {
        const p = await firstPage(ctx);
        if (throttled) await (await ctx.newCDPSession(p)).send('Emulation.setCPUThrottlingRate', { rate: 4 });
        const t = await openList(p, online.url + '/');
        (throttled ? offlineThrottled : offline).push(t);
        log(`offline start ${i + 1}${throttled ? ' (4x CPU)' : ''}: h1 ${ms(t.h1)}, list usable ${ms(t.readyPainted)}`);
      } finally {
        await ctx.close().catch(() => {});
      }
    }
  } finally {
    await online.stop();
    await rm(dir, { recursive: true, force: true });
  }
  return { first, offline, offlineThrottled };
}

/** Section 3's figures: median usable times of each kind of start. */
export function figures(r) {
  const f = {};
  if (r.start && !r.start.error) {
    f.first = median(r.start.first.map((x) => x.readyPainted));
    f.offline = median(r.start.offline.map((x) => x.readyPainted));
    f.offlineThrottled = r.start.offlineThrottled.length ? median(r.start.offlineThrottled.map((x) => x.readyPainted)) : null;
  }
  return f;
}

/** Writes section 3 of BENCHMARKS.md with `p`. */
export function report(p, r, f) {
  p('## 3. Start', '');
  if (notMeasured(r.start)) p(notMeasured(r.start), '');
  else {
    p('Time from navigation start until the record list is usable: the `<h1>` is there and a', '`.record-card` or the empty-list text, and the next frame has been drawn. First visit: fresh profile,', 'CDP `Emulation.setCPUThrottlingRate` 4 and `Network.emulateNetworkConditions` 1.6 Mbit/s down,', '750 kbit/s up, 150 ms latency. Later start: after one online visit installed the service worker,', 'the server is stopped and the browser restarted with the network off (same profile).', '');
    const row = (name, xs) => p(`| ${name} | ${xs.map((x) => ms(x.readyPainted)).join(', ')} | ${ms(median(xs.map((x) => x.h1)))} | ${ms(median(xs.map((x) => x.readyPainted)))} |`);
    p('| start | runs | median `<h1>` | median usable |', '|---|---|---:|---:|');
    row('first visit, 4× CPU, 1.6 Mbit/s, 150 ms', r.start.first);
    row('offline, from the service worker', r.start.offline);
    if (r.start.offlineThrottled.length) row('offline, from the service worker, 4× CPU', r.start.offlineThrottled);
    p('', '| figure | value | budget | verdict |', '|---|---:|---:|---|');
    p(`| first visit (throttled) | ${ms(f.first)} | 2.0 s | ${verdict(f.first, 2000)} |`);
    p(`| offline start from the service worker | ${ms(f.offline)} | 0.4 s | ${verdict(f.offline, 400)} |`);
    if (f.offlineThrottled != null) p(`| offline start from the service worker, 4× CPU | ${ms(f.offlineThrottled)} | 0.9 s | ${verdict(f.offlineThrottled, 900)} |`);
    p('');
  }

}
