// Accessibility, checked with a peer's rule set: axe-core (WCAG 2.0/2.1, levels A and AA) over
// every screen of the app, in Chinese, at a tablet width and a phone width, with some data in
// each. Fails on any serious or critical violation and prints what failed, and where.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { axeViolations as violations, launch, saved, url, waitForApp } from './helpers.mjs';

const VIEWPORTS = [
  { name: 'tablet 1024×768', width: 1024, height: 768 },
  { name: 'phone 390×844', width: 390, height: 844 },
];

/** Opens `path` and waits until the screen has rendered and nothing says it is loading. */
async function open(page, path) {
  await page.goto(url(path));
  await waitForApp(page);
  await page.waitForFunction(() => !document.body.innerText.includes('正在加载'), undefined, { timeout: 30_000 });
  // One more frame for what renders after the data (charts, lists drawn on scroll).
  await page.waitForTimeout(300);
}

/** Enough data that every screen shows its content, not only its empty state; returns the editors' paths. */
async function seed(page) {
  await open(page, '/people');
  await page.getByRole('button', { name: '新增人员' }).click();
  await page.getByLabel('姓名', { exact: true }).fill('王建国');
  await saved(page);
  const person = new URL(page.url()).pathname;

  await open(page, '/');
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('标题', { exact: true }).fill('视察养老服务中心');
  await page.getByLabel('地点', { exact: true }).fill('城东社区');
  await page.getByLabel('从名册选择人员').selectOption({ label: '王建国' });
  await page.getByRole('button', { name: '加入', exact: true }).click();
  await page.getByRole('button', { name: '添加一条建议' }).click();
  await page.getByLabel('建议内容').fill('增加护理人员');
  await page.getByLabel('提出人').fill('王建国');
  await saved(page);
  const record = new URL(page.url()).pathname;

  // A second record, in the trash.
  await open(page, '/');
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('标题', { exact: true }).fill('待删除的记录');
  await saved(page);
  await page.getByRole('button', { name: '删除记录' }).click();
  await page.getByRole('alertdialog').getByRole('button', { name: '移到回收站' }).click();
  await page.getByRole('heading', { name: '活动记录' }).waitFor();

  await open(page, '/office');
  await page.getByRole('button', { name: '新建提案' }).click();
  await page.waitForURL(/\/office\/proposals\//);
  const proposal = new URL(page.url()).pathname;
  await open(page, '/office');
  await page.getByRole('button', { name: '新建社情民意信息' }).click();
  await page.waitForURL(/\/office\/opinions\//);
  const opinion = new URL(page.url()).pathname;
  return { person, record, proposal, opinion };
}

/** What can be tapped (buttons, links, selects, disclosure summaries, check boxes) and is drawn less than 44 px high or
 * wide: fingers on a tablet miss it (axe's target-size rule asks only 24 px). A check box or radio button counts as its
 * label when that is large enough (a tap on the label ticks it). Hidden ones are left out. */
function smallTargets(page) {
  return page.evaluate(() =>
    [...document.querySelectorAll('button, a[href], select, summary, [role=button], input[type=checkbox], input[type=radio]')]
      .filter((e) => {
        const small = (el) => {
          const r = el.getBoundingClientRect();
          return r.height < 43.5 || r.width < 43.5;
        };
        const r = e.getBoundingClientRect();
        if (!(r.width > 0 && r.height > 0) || getComputedStyle(e).visibility === 'hidden') return false;
        return small(e) && !(e.labels && [...e.labels].some((l) => !small(l)));
      })
      .map((e) => {
        const r = e.getBoundingClientRect();
        return `${e.tagName.toLowerCase()} "${(e.innerText || e.getAttribute('aria-label') || '').trim().slice(0, 30)}" ${Math.round(r.width)}×${Math.round(r.height)}`;
      }),
  );
}

test('every screen passes axe (WCAG 2.1 A and AA) and has touch targets of 44 px at tablet and phone widths, in Chinese', async () => {
  const context = await launch({ locale: 'zh-CN' });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    const ids = await seed(page);
    const screens = [
      ['record list', '/'],
      ['record editor', ids.record],
      ['record editor, asking before the trash', ids.record, async () => {
        await page.getByRole('button', { name: '删除记录' }).click();
        await page.getByRole('alertdialog').waitFor();
      }],
      ['roster', '/people'],
      ['person editor', ids.person],
      ['trash', '/trash'],
      ['settings', '/settings'],
      ['office hub', '/office'],
      ['suggestions board', '/office/suggestions'],
      ['proposal editor', ids.proposal],
      ['opinion report editor', ids.opinion],
      ['attendance', '/office/attendance'],
      ['member visits', '/office/visits'],
      ['report', '/office/report'],
      ['summary', '/office/summary'],
      ['briefing', '/office/briefing'],
      ['duty records', '/office/duty'],
      ['exports', '/office/exports'],
      ['devices', '/office/devices'],
      ['team template', '/office/template'],
    ];
    const problems = [];
    for (const viewport of VIEWPORTS) {
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      for (const [name, path, then] of screens) {
        await open(page, path);
        if (then) await then();
        for (const line of await violations(page)) problems.push(`${viewport.name}, ${name} (${path}): ${line}`);
        for (const line of await smallTargets(page)) problems.push(`${viewport.name}, ${name} (${path}): a touch target under 44 px: ${line}`);
      }
    }
    assert.deepEqual(problems, [], `axe found serious or critical violations, or targets too small to tap:\n${problems.join('\n')}`);
  } finally {
    await context.cleanup();
  }
});
