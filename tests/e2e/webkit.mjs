// The Safari engine in the end-to-end suite: a small W3C WebDriver client (fetch only) driving
// Debian's WebKitWebDriver, which launches WebKitGTK's MiniBrowser (`webkit2gtk-driver`).
//
// What WebKitGTK 2.50 does here, found out for issue 16 (docs/architecture.md, the `tests/e2e/` row):
// - The capability is `webkitgtk:browserOptions` ({ binary, args }); an unknown key is ignored and
//   the driver falls back to MiniBrowser.
// - One WebKitWebDriver holds one session at a time ("A session already exists"), so each
//   session gets a driver process of its own on a free port.
// - `MiniBrowser --automation` always uses an ephemeral data manager and has no flag for a data
//   directory: IndexedDB and service worker registrations are gone with the session. For a
//   restart with the same data, `launchWebKit({ profile })` runs webkit-host.py instead: the same
//   engine in a shell of ours that stores its data in `profile`.
// - Service workers register and control pages on http://127.0.0.1 (a secure context).
// - The browser needs an X display: `cargo xtask test e2e` runs an Xvfb and sets DISPLAY.

import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

/** WebKitGTK's test browser (`webkit2gtk-driver` depends on the library that ships it). */
export const MINIBROWSER = process.env.MINIBROWSER ?? '/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser';
/** The WebDriver for it. */
export const WEBKIT_DRIVER = process.env.WEBKIT_DRIVER ?? '/usr/bin/WebKitWebDriver';

/** The shell that keeps a profile across sessions (needs python3-gi and gir1.2-webkit2-4.1). */
export const WEBKIT_HOST = fileURLToPath(new URL('./webkit-host.py', import.meta.url));

/** The W3C key under which an element reference travels. */
const ELEMENT = 'element-6066-11e4-a52e-4f735466cecf';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

/** An error from the driver, with the command that caused it. */
class WebDriverError extends Error {}

/**
 * Starts a WebKitWebDriver and a browser session in it: MiniBrowser with an ephemeral profile,
 * or, given `profile` (a directory), webkit-host.py keeping its data there, so a later session
 * with the same `profile` is the same browser restarted. Returns a `WebKit` session; call
 * `close()` when done (ends the session, the browser and the driver).
 */
export async function launchWebKit({ profile } = {}) {
  const browser = profile ? { binary: '/usr/bin/python3', args: [WEBKIT_HOST, profile] } : { binary: MINIBROWSER, args: ['--automation'] };
  if (!process.env.DISPLAY) {
    throw new Error('MiniBrowser needs an X display: run through `cargo xtask test e2e` (it starts Xvfb) or under `xvfb-run -a`');
  }
  const port = await freePort();
  const log = [];
  // A process group of its own: the browser outlives a killed driver, so `close` ends the group.
  const driver = spawn(WEBKIT_DRIVER, [`--port=${port}`], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  for (const s of [driver.stdout, driver.stderr]) s.on('data', (c) => log.push(String(c)));
  const exited = new Promise((r) => driver.once('exit', r));
  const base = `http://127.0.0.1:${port}`;
  const session = new WebKit(base, driver, exited, log);
  try {
    await session.waitForDriver();
    const created = await session.command('POST', '/session', {
      capabilities: { alwaysMatch: { 'webkitgtk:browserOptions': browser } },
    });
    session.id = created.sessionId;
    session.capabilities = created.capabilities;
  } catch (e) {
    await session.close();
    throw e;
  }
  return session;
}

/** One MiniBrowser under WebDriver: the commands the scenarios use, nothing more. */
export class WebKit {
  constructor(base, driver, exited, log) {
    this.base = base;
    this.driver = driver;
    this.exited = exited;
    this.log = log;
    this.id = null;
  }

  async waitForDriver() {
    for (let i = 0; i < 300; i++) {
      if (this.driver.exitCode !== null) break;
      try {
        const r = await fetch(`${this.base}/status`);
        if (r.ok) return;
      } catch {
        // Not listening yet.
      }
      await sleep(100);
    }
    throw new Error(`WebKitWebDriver did not start: ${this.log.join('')}`);
  }

  /** Sends one WebDriver command; resolves to its `value`, throws on a WebDriver error. */
  async command(method, path, body) {
    const r = await fetch(this.base + path, {
      method,
      headers: { 'content-type': 'application/json; charset=utf-8' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await r.text();
    let value;
    try {
      value = JSON.parse(text).value;
    } catch {
      throw new WebDriverError(`${method} ${path}: HTTP ${r.status}, not JSON: ${text.slice(0, 200)}`);
    }
    if (!r.ok || (value && value.error)) {
      throw new WebDriverError(`${method} ${path}: ${value?.error ?? r.status}: ${value?.message ?? text.slice(0, 200)}`);
    }
    return value;
  }

  /** A command on this session. */
  cmd(method, path = '', body) {
    return this.command(method, `/session/${this.id}${path}`, body);
  }

  /** Navigates and waits for the load (the session's page-load strategy is "normal"). */
  goto(url) {
    return this.cmd('POST', '/url', { url });
  }

  async url() {
    return this.cmd('GET', '/url');
  }

  reload() {
    return this.cmd('POST', '/refresh', {});
  }

  /** Runs `fn(...args)` in the page (its source is sent; it sees no closure) and returns its result. */
  run(fn, ...args) {
    return this.cmd('POST', '/execute/sync', { script: `return (${fn}).apply(null, arguments)`, args });
  }

  /** Like `run` for an async `fn`: waits for its promise (up to the session's 30 s script timeout). */
  runAsync(fn, ...args) {
    const script = `const done = arguments[arguments.length - 1];
      Promise.resolve().then(() => (${fn}).apply(null, Array.prototype.slice.call(arguments, 0, -1)))
        .then((v) => done({ ok: v }), (e) => done({ err: String(e && e.stack || e) }));`;
    return this.cmd('POST', '/execute/async', { script, args }).then((r) => {
      if (r && 'err' in r) throw new Error(`in WebKit: ${r.err}`);
      return r?.ok;
    });
  }

  /** Waits until `fn(...args)` in the page returns something truthy; returns it. */
  async waitFor(fn, args = [], { timeout = 30_000, what = String(fn) } = {}) {
    const end = Date.now() + timeout;
    let last;
    for (;;) {
      try {
        last = await this.run(fn, ...args);
        if (last) return last;
      } catch (e) {
        // A navigation under way destroys the script's document: try again.
        last = e;
      }
      if (Date.now() > end) throw new Error(`WebKit: timed out after ${timeout} ms waiting for ${what} (last: ${last})`);
      await sleep(100);
    }
  }

  /**
   * An element found in the page by `fn(...args)` (which returns the element or null), waited
   * for; returns a WebDriver element reference for `click`, `type`, `value`.
   */
  async element(fn, args = [], opts = {}) {
    const el = await this.waitFor(fn, args, opts);
    if (!el || !el[ELEMENT]) throw new Error(`WebKit: ${opts.what ?? fn} is not an element`);
    return el;
  }

  /** The form control whose `<label>` reads exactly `text`, as a person finds it. */
  byLabel(text) {
    return this.element((t) => [...document.querySelectorAll('label')].find((l) => l.textContent.trim() === t)?.control ?? null, [text], {
      what: `the field labelled ${text}`,
    });
  }

  /** The button or link (`tag`) whose text reads exactly `text`, inside `within` (a CSS selector). */
  byText(tag, text, within = 'body') {
    return this.element(
      (tag, t, within) => [...(document.querySelector(within)?.querySelectorAll(tag) ?? [])].find((b) => b.textContent.trim() === t) ?? null,
      [tag, text, within],
      { what: `the ${tag} ${text}` },
    );
  }

  /** A real click (WebDriver Element Click: scrolled into view, pointer events). */
  click(el) {
    return this.cmd('POST', `/element/${el[ELEMENT]}/click`, {});
  }

  /** Clears the field and types `text` into it key by key (WebDriver Element Send Keys). */
  async type(el, text) {
    await this.cmd('POST', `/element/${el[ELEMENT]}/clear`, {});
    return this.cmd('POST', `/element/${el[ELEMENT]}/value`, { text });
  }

  /** The current value of a form control. */
  value(el) {
    return this.run((e) => e.value, el);
  }

  /** Ends the session (the browser with it) and the driver. */
  async close() {
    if (this.id) {
      await this.cmd('DELETE').catch(() => {});
      this.id = null;
    }
    const running = this.driver.exitCode === null && this.driver.signalCode === null;
    try {
      // The driver's group: the driver, and the browser with its web and network processes
      // if ending the session left any.
      process.kill(-this.driver.pid, 'SIGTERM');
    } catch {
      // The group is already gone.
    }
    if (running) await this.exited;
  }
}
