// How the tests and the bench run Chromium: the system one (Debian `chromium`), headless, with
// the flags below; shared by tests/e2e/helpers.mjs and tests/bench/lib.mjs. No imports, so
// both packages can use it with their own playwright-core.

/** Chromium executable (`cargo xtask test` and `cargo xtask bench` set CHROMIUM). */
export const CHROMIUM = process.env.CHROMIUM ?? '/usr/bin/chromium';

/** Flags that let Chromium run headless as root in a container, quietly. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-dev-shm-usage',
];
