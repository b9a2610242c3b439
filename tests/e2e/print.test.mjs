// Printing for real: the period report (with the per-person sheet), the
// drafted summary, the briefing and the duty records printed to PDF by
// Chromium (A4, print CSS), then checked with poppler: pdftotext per page
// (figures, no table continued on a page without its header row, one member
// per duty page), pdffonts (a Chinese font is embedded) and pdftoppm (the
// pages render with ink on them). xtask installs poppler-utils and a CJK font.

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { activities, people } from '../bench/gen.mjs';
import { launch, startServer, waitForApp } from './helpers.mjs';
import { seededPage } from './seed.mjs';

// Enough people that the per-person sheet runs over more than one A4 page.
const ROSTER = people(70);
const DOCS = activities(120, ROSTER);
const YEAR = 2024;

/** The page printed to a PDF file in `dir`; returns its path. */
async function printPdf(page, dir, name) {
  const file = join(dir, `${name}.pdf`);
  await writeFile(file, await page.pdf({ format: 'A4', preferCSSPageSize: true, printBackground: true }));
  return file;
}

/** The text of each page (pdftotext -layout; pages end with a form feed). */
function pagesOf(pdf) {
  const text = execFileSync('pdftotext', ['-layout', pdf, '-'], { encoding: 'utf8' });
  return text.split('\f').slice(0, -1);
}

/** The PDF's fonts as pdffonts lists them (name, type, embedded). */
function fontsOf(pdf) {
  return execFileSync('pdffonts', [pdf], { encoding: 'utf8' });
}

/** Share of dark pixels on page 1, rendered by pdftoppm as a grey PGM. */
async function inkOnFirstPage(pdf, dir) {
  const stem = join(dir, 'page');
  execFileSync('pdftoppm', ['-f', '1', '-l', '1', '-r', '40', '-gray', '-singlefile', pdf, stem]);
  const pgm = await readFile(`${stem}.pgm`);
  // Binary PGM: "P5\n<w> <h>\n<max>\n" then one byte a pixel.
  const header = pgm.toString('latin1', 0, 40).match(/^P5\s+(\d+)\s+(\d+)\s+(\d+)\s/);
  assert.ok(header, 'pdftoppm wrote a PGM');
  const [w, h] = [Number(header[1]), Number(header[2])];
  const pixels = pgm.subarray(header[0].length, header[0].length + w * h);
  return pixels.filter((v) => v < 128).length / pixels.length;
}

/** A CJK font embedded (by name) unless `named` is false, and ink on page 1.
 * Chromium prints a face it must embolden itself (WenQuanYi has no bold) as
 * unnamed Type 3 glyphs: the English report has Chinese only in bold cells. */
async function checkPrinted(pdf, dir, what, named = true) {
  const fonts = fontsOf(pdf);
  if (named) assert.match(fonts, /WenQuanYi|WQY|Noto\s*Sans\s*CJK|NotoSansCJK|Zen\s*Hei/i, `${what}: a CJK font is embedded\n${fonts}`);
  if (named) assert.doesNotMatch(fonts.split('\n').filter((l) => /WenQuanYi|WQY|CJK|ZenHei/i.test(l)).join('\n'), /\bno\s+no\b/, `${what}: the CJK font is embedded, not referenced`);
  const ink = await inkOnFirstPage(pdf, dir);
  assert.ok(ink > 0.003, `${what}: page 1 has ink on it (${ink})`);
}

const inYear = DOCS.filter((d) => d.body.date.startsWith(`${YEAR}-`));

const LANGS = [
  {
    locale: 'zh-CN',
    use: '使用这些设置',
    name: '姓名',
    firstKind: '视察',
    draft: '生成总结草稿',
    overview: (n, times, k) => `本期共开展活动 ${n} 次，参加 ${times} 人次，收集意见建议 ${k} 条。`,
    duty: '履职档案',
    attended: '出席活动次数',
    date: '日期',
  },
  {
    locale: 'en-US',
    use: 'Use these settings',
    name: 'Name',
    firstKind: 'Inspection',
    draft: 'Draft the summary',
    overview: (n, times, k) => `${n} activities, ${times} person-times, ${k} suggestions raised.`,
    duty: 'Duty record',
    attended: 'Activities attended',
    date: 'Date',
  },
];

for (const L of LANGS) test(`the report, summary, briefing and duty records print on A4 with their figures, headers and Chinese glyphs (${L.locale})`, async () => {
  const server = await startServer();
  const context = await launch({ locale: L.locale });
  const dir = await mkdtemp(join(tmpdir(), 'xunfang-print-'));
  try {
    const page = await seededPage(context, server, [...ROSTER, ...DOCS], L.use);
    const open = async (path) => {
      await page.goto(`${server.url}${path}`);
      await waitForApp(page);
    };

    // The report for the fixture year, custom range: the per-person sheet runs over pages.
    await open('/office/report');
    await page.locator('#report-period').selectOption('custom');
    await page.locator('#report-period-from').fill(`${YEAR}-01-01`);
    await page.locator('#report-period-to').fill(`${YEAR}-12-31`);
    await page.locator(`.figure[data-figure="activities"] dd`, { hasText: String(inYear.length) }).waitFor();
    const report = await printPdf(page, dir, 'report');
    const reportPages = pagesOf(report);
    assert.ok(reportPages.length >= 2, `the report with ${ROSTER.length} people takes more than one page (${reportPages.length})`);
    assert.match(reportPages[0], new RegExp(`${YEAR}-01-01\\s+–\\s+${YEAR}-12-31`));
    const names = [...new Set(ROSTER.map((p) => p.body.name))];
    // Narrow columns wrap their words over lines: compare without white space.
    const flat = (t) => t.replace(/\s+/g, '');
    const sheetPages = reportPages.map(flat).filter((t) => names.some((n) => t.includes(n)));
    assert.ok(sheetPages.length >= 2, 'the per-person sheet is cut across pages');
    for (const [i, t] of sheetPages.entries()) {
      const firstName = Math.min(...names.map((n) => t.indexOf(n)).filter((at) => at >= 0));
      const head = t.indexOf(L.name);
      assert.ok(head >= 0 && head < firstName && t.slice(head, firstName).includes(L.firstKind), `sheet page ${i + 1} starts with the header row: ${t.slice(0, 80)}`);
    }
    await checkPrinted(report, dir, 'report', L.locale === 'zh-CN');
    assert.ok(names.filter((n) => flat(reportPages.join('')).includes(n)).length > names.length / 2, 'Chinese names print as text');

    // The drafted summary of the same year.
    await open('/office/summary');
    await page.locator('#summary-period').selectOption('custom');
    await page.locator('#summary-period-from').fill(`${YEAR}-01-01`);
    await page.locator('#summary-period-to').fill(`${YEAR}-12-31`);
    await page.getByRole('button', { name: L.draft }).click();
    await page.locator('#summary-text').waitFor();
    const draft = await page.locator('#summary-text').inputValue();
    const summary = await printPdf(page, dir, 'summary');
    const summaryText = flat(pagesOf(summary).join(''));
    assert.ok(summaryText.includes(flat(draft.split('\n')[0])), 'the draft prints from its first line');
    await checkPrinted(summary, dir, 'summary');

    // The briefing of the busiest month of the year: its figures and every title.
    const byMonth = new Map();
    for (const d of inYear) byMonth.set(d.body.date.slice(0, 7), [...(byMonth.get(d.body.date.slice(0, 7)) ?? []), d]);
    const [month, acts] = [...byMonth].sort((a, b) => b[1].length - a[1].length || a[0].localeCompare(b[0]))[0];
    await open('/office/briefing');
    await page.locator('#briefing-span').selectOption('month');
    await page.locator('#briefing-day').fill(`${month}-15`);
    const times = acts.reduce((s, d) => s + d.body.participants.filter((p) => p.status === 'attended').length + (d.body.other_attendees ?? 0), 0);
    const suggestions = acts.reduce((s, d) => s + d.body.suggestions.length, 0);
    const overview = L.overview(acts.length, times, suggestions);
    await page.getByTestId('briefing').getByText(overview).waitFor();
    const briefing = await printPdf(page, dir, 'briefing');
    const briefingText = flat(pagesOf(briefing).join(''));
    assert.ok(briefingText.includes(flat(overview)), 'the briefing prints its figures');
    for (const d of acts) assert.ok(briefingText.includes(flat(d.body.title)), `the briefing names ${d.body.title}`);
    await checkPrinted(briefing, dir, 'briefing');

    // The duty records of the year: one member a page (or more), in sheet order.
    await open('/office/duty');
    await page.locator('#duty-year').fill(String(YEAR));
    const members = Number((await page.getByTestId('duty-count').innerText()).match(/\d+/)[0]);
    assert.equal(members, ROSTER.length, 'every (active) member has a record');
    const duty = await printPdf(page, dir, 'duty');
    const dutyPages = pagesOf(duty);
    const heads = dutyPages.map((t) => t.match(new RegExp(`\\S+ · ${L.duty} ${YEAR}`, 'g')) ?? []);
    assert.ok(heads.every((h) => h.length <= 1), 'never two members on one page');
    assert.equal(heads.filter((h) => h.length === 1).length, members, 'each member starts a page of their own');
    for (const [i, t] of dutyPages.entries()) {
      if (heads[i].length === 0 && /\d{4}-\d{2}-\d{2}/.test(t)) assert.ok(t.includes(L.date), `continued duty page ${i + 1} repeats its table header`);
    }
    // A member's figures as printed match the fixture: activities attended in the year.
    const first = ROSTER.find((p) => ROSTER.filter((q) => q.body.name === p.body.name).length === 1);
    const attended = inYear.filter((d) => d.body.participants.some((p) => p.id === first.id && p.status === 'attended')).length;
    const firstPage = dutyPages.find((t) => t.includes(`${first.body.name} · ${L.duty} ${YEAR}`));
    assert.match(firstPage, new RegExp(`${L.attended}\\s+${attended}\\b`), firstPage);
    await checkPrinted(duty, dir, 'duty records');
  } finally {
    await context.cleanup();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
});
