// Takes the README's screenshots: a small sample of records in the app
// served at XUNFANG_URL, on a tablet-sized screen, in Chinese.
// Run: XUNFANG_URL=http://127.0.0.1:8080 node tests/e2e/screenshot.mjs docs/
import { createRequire } from 'node:module';
import { readFile } from 'node:fs/promises';
import { launch, url, waitForApp } from './helpers.mjs';

const XLSX = createRequire(import.meta.url)('xlsx');

const out = process.argv[2] ?? 'docs/';
const context = await launch({ locale: 'zh-CN' });
const page = context.pages()[0] ?? (await context.newPage());
const saved = () => page.locator('[data-saved="true"]').waitFor();
await page.goto(url('/'));
await waitForApp(page);
for (const [name, sector] of [['王建国', '经济界'], ['李梅', '教育界'], ['张志强', '农业界']]) {
  await page.goto(url('/people/new'));
  await page.getByLabel('姓名', { exact: true }).fill(name);
  await page.getByLabel('界别', { exact: true }).fill(sector);
  await saved();
}
// Dated this year, so the report and the draft of "this year" show them.
const y = new Date().getFullYear();
const records = [
  ['inspection', '视察农村饮水安全工程', `${y}-06-03`, '石门乡水厂'],
  ['hearing', '旁听庭审：民间借贷纠纷案', `${y}-05-20`, '县人民法院第一法庭'],
  ['forum', '阳光评议座谈会', `${y}-04-12`, '县政协会议室'],
  ['visit', '走访委员企业', `${y}-03-08`, '城关镇工业园'],
];
for (const [kind, title, date, place] of records) {
  await page.goto(url('/'));
  await waitForApp(page);
  await page.getByRole('button', { name: '新建记录' }).click();
  await page.getByLabel('活动类型', { exact: true }).selectOption(kind);
  await page.getByLabel('标题', { exact: true }).fill(title);
  await page.getByLabel('日期', { exact: true }).fill(date);
  await page.getByLabel('地点', { exact: true }).fill(place);
  for (const name of ['王建国', '李梅']) {
    await page.getByLabel('从名册选择人员').selectOption({ label: name });
    await page.getByRole('button', { name: '加入', exact: true }).click();
  }
  await saved();
}
await page.getByLabel('内容', { exact: true }).fill('走访了园区内三家委员企业，了解用工和融资情况。');
await page.getByRole('button', { name: '添加一条建议' }).click();
await page.getByLabel('建议内容').fill('建议设立中小企业应急转贷资金');
await page.getByLabel('承办部门').fill('县财政局');
await saved();
await page.evaluate(() => window.scrollTo(0, 0));
await page.screenshot({ path: `${out}screenshot-record.png`, fullPage: false });
await page.goto(url('/'));
await waitForApp(page);
await page.locator('.record-card').first().waitFor();
await page.screenshot({ path: `${out}screenshot.png` });

// The office: the year's report and the drafted summary.
await page.goto(url('/office/report'));
await waitForApp(page);
await page.getByLabel('时间范围').first().selectOption('year');
await page.locator('svg').first().waitFor();
await page.screenshot({ path: `${out}screenshot-report.png`, fullPage: true });
await page.goto(url('/office/summary'));
await waitForApp(page);
await page.getByLabel('时间范围').first().selectOption('year');
await page.getByRole('button', { name: '生成总结草稿' }).click();
await page.locator('#summary-text').waitFor();
await page.screenshot({ path: `${out}screenshot-summary.png` });

// The team's template editor, with its preview of the record editor.
await page.goto(url('/office/template'));
await waitForApp(page);
await page.locator('#tpl-points-0').waitFor();
await page.screenshot({ path: `${out}screenshot-template.png` });

// An Excel export: the records file the exports page makes, read back with
// SheetJS and drawn as a table (the machine has no spreadsheet program).
await page.goto(url('/office/exports'));
await waitForApp(page);
const [file] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: '下载活动记录（Excel）' }).click()]);
const book = XLSX.read(await readFile(await file.path()), { type: 'buffer', cellDates: true });
const sheet = book.Sheets[book.SheetNames[0]];
const table = XLSX.utils.sheet_to_html(sheet, { header: '', footer: '' });
const view = await context.newPage();
await view.setContent(
  `<!doctype html><meta charset="utf-8"><style>body{font:14px "WenQuanYi Micro Hei",sans-serif;margin:16px}
  h1{font-size:16px} table{border-collapse:collapse} td{border:1px solid #bbb;padding:4px 8px;white-space:nowrap}
  tr:first-child td{font-weight:bold;background:#eef}</style>
  <h1>${file.suggestedFilename()} — ${book.SheetNames[0]}</h1>${table}`,
);
await view.screenshot({ path: `${out}screenshot-excel.png` });
await context.cleanup();
