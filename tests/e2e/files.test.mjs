// Files the office sends on, read back with a real xlsx reader (SheetJS):
// the records workbook, made in the browser, has a frozen header row in the
// UI's language, dates as dates and counts as numbers; the suggestions
// board's CSV and Excel files hold exactly the rows its filter shows; the
// report's workbook has its figures as numbers. Records are synced from the
// server (bench data; three use the school safety template's custom fields,
// which become typed columns of their own), in Chinese and in English.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { activities, people } from '../bench/gen.mjs';
import { launch, saved, startServer, waitForApp } from './helpers.mjs';
import { seededPage } from './seed.mjs';

const XLSX = createRequire(import.meta.url)('xlsx');

const ROSTER = people(20);
const DOCS = activities(30, ROSTER);
// Three school inspections with the school safety template's custom fields
// (stamped per field, as `Document::create` stamps a keyed map).
const SCHOOL = DOCS.slice(0, 3);
for (const [i, d] of SCHOOL.entries()) {
  d.body.kind = 'school_inspection';
  d.body.custom = { hazards_found: 4 + i, deadline: `2025-06-0${i + 1}`, result: 'rectify', school: `第${i + 1}中学` };
  for (const key of Object.keys(d.body.custom)) d.stamps[`custom/${key}`] = d.stamps.title;
}

/** Clicks `button` and returns the downloaded file's name and bytes. */
async function download(page, button) {
  const [file] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return { name: file.suggestedFilename(), bytes: await readFile(await file.path()) };
}

/** The workbook's sheets as arrays of rows (typed cells), and the raw sheet XML of the first. */
function readBook(bytes) {
  const book = XLSX.read(bytes, { type: 'buffer', cellDates: true, bookFiles: true });
  const sheets = Object.fromEntries(book.SheetNames.map((n) => [n, XLSX.utils.sheet_to_json(book.Sheets[n], { header: 1, raw: true, defval: null })]));
  const xml = (n) => Buffer.from(book.files[`xl/worksheets/sheet${n}.xml`].content).toString('utf8');
  return { names: book.SheetNames, sheets, book, xml };
}

const ymd = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;

const LANGS = [
  {
    locale: 'zh-CN',
    sync: '使用这些设置',
    school: '学校安全检查模板',
    records: '下载活动记录（Excel）',
    tab: '活动记录',
    date: '日期',
    times: '人次',
    title: '标题',
    found: '发现隐患（处）',
    deadline: '整改期限',
    result: ['检查结论', '限期整改'],
    status: 'forwarded',
  },
  {
    locale: 'en-US',
    sync: 'Use these settings',
    school: 'School safety inspection template',
    records: 'Download records (Excel)',
    tab: 'Records',
    date: 'Date',
    times: 'Person-times',
    title: 'Title',
    found: 'Hazards found (处)',
    deadline: 'Rectify by',
    result: ['Result', 'Rectify by a date'],
    status: 'answered',
  },
];

for (const L of LANGS) {
  test(`Excel files read back typed, and the board exports what its filter shows (${L.locale})`, async () => {
    const server = await startServer();
    const context = await launch({ locale: L.locale });
    try {
      const page = await seededPage(context, server, [...ROSTER, ...DOCS], L.sync);
      // Each screen opens online, then the browser goes offline: the files are made in the browser.
      const open = async (path) => {
        await context.setOffline(false);
        await page.goto(`${server.url}${path}`);
        await waitForApp(page);
        await context.setOffline(true);
      };
      // The team adopts the school safety template (its fields become columns).
      await open('/office/template');
      await context.setOffline(false);
      await page.getByRole('button', { name: L.school }).click();
      await saved(page);
      await open('/office/exports');
      const records = await download(page, page.getByRole('button', { name: L.records }));
      assert.match(records.name, /^xunfang-records-\d{4}-\d{2}-\d{2}\.xlsx$/);
      const book = readBook(records.bytes);
      assert.equal(book.names[0], L.tab);
      const [header, ...rows] = book.sheets[L.tab];
      const col = (h) => {
        const i = header.indexOf(h);
        assert.ok(i >= 0, `no column ${h} in ${header}`);
        return i;
      };
      assert.equal(rows.length, DOCS.length, 'one row per record');
      const dates = rows.map((r) => r[col(L.date)]);
      assert.ok(dates.every((d) => d instanceof Date), 'dates are dates');
      assert.deepEqual(dates.map(ymd).sort(), DOCS.map((d) => d.body.date).sort());
      const times = rows.map((r) => r[col(L.times)]);
      assert.ok(times.every((n) => typeof n === 'number'), 'person-times are numbers');
      const expected = DOCS.reduce((sum, d) => sum + d.body.participants.filter((p) => p.status === 'attended').length + (d.body.other_attendees ?? 0), 0);
      assert.equal(times.reduce((a, b) => a + b, 0), expected);
      assert.ok(rows.every((r) => typeof r[col(L.title)] === 'string'));
      assert.match(book.xml(1), /<pane [^>]*ySplit="1"[^>]*state="frozen"/, 'the header row is frozen');
      // Custom fields: numbers as numbers, dates as dates, choices by their label.
      const byTitle = new Map(rows.map((r) => [r[col(L.title)], r]));
      for (const [i, d] of SCHOOL.entries()) {
        const row = byTitle.get(d.body.title);
        assert.equal(row[col(L.found)], 4 + i, `${d.body.title}: hazards found is the number ${4 + i}`);
        assert.ok(row[col(L.deadline)] instanceof Date && ymd(row[col(L.deadline)]) === d.body.custom.deadline, 'the deadline is a date');
        assert.equal(row[col(L.result[0])], L.result[1]);
      }
      assert.equal(rows.filter((r) => typeof r[col(L.found)] === 'number').length, SCHOOL.length, 'other records leave the column empty');

      // The board, filtered by one status: both files hold exactly the rows shown.
      const all = DOCS.flatMap((d) => d.body.suggestions);
      const wanted = all.filter((s) => s.status === L.status);
      assert.ok(wanted.length > 0 && wanted.length < all.length, 'the fixture has suggestions of the status and others');
      await open('/office/suggestions');
      await page.locator('.board-item').nth(all.length - 1).waitFor();
      await page.locator('#board-status').selectOption(L.status);
      await page.waitForFunction((n) => document.querySelectorAll('.board-item').length === n, wanted.length);
      const csv = await download(page, page.getByTestId('board-csv'));
      const csvRows = csv.bytes.toString('utf8').replace(/^\uFEFF/, '').trim().split('\r\n');
      const excel = readBook((await download(page, page.getByTestId('board-xlsx'))).bytes);
      const sheet = Object.values(excel.sheets)[0];
      // Suggestion texts hold no line breaks in the fixture: a CSV line is a row.
      assert.equal(csvRows.length - 1, wanted.length, 'the CSV holds the filtered rows');
      assert.equal(sheet.length - 1, wanted.length, 'the workbook holds the filtered rows');
      const ids = new Set(sheet.slice(1).map((r) => r[r.length - 1]));
      assert.deepEqual(ids, new Set(wanted.map((s) => s.id)), 'and exactly those');

      // The report's workbook (this year's: no records, yet every figure is a number and the period two dates).
      await open('/office/report');
      const report = readBook((await download(page, page.getByTestId('report-xlsx'))).bytes);
      assert.equal(report.names.length, 5);
      const summary = report.sheets[report.names[0]];
      assert.ok(summary[1][1] instanceof Date && summary[2][1] instanceof Date, 'the period is two dates');
      assert.ok(summary.slice(3).every((r) => typeof r[1] === 'number'), 'the figures are numbers');
    } finally {
      await context.cleanup();
      await server.stop();
    }
  });
}
