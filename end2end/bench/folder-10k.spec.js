// BOX-1 large-folder benchmark (docs/PERFORMANCE.md): a folder of 10,000
// small files, uploaded through "Upload a folder" (the time per file is
// reported too), then: opening the folder until its first rows show their
// names and it says how many it holds (every name is opened in the worker
// and sorted, the first 200 rows drawn), the same after a reload of the
// page, and deleting the folder into the trash until it says so. Run by
// scripts/bench-files.sh (COFFER_BENCH_FILES changes the count).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test, expect } = require('../tests/fixtures');
const { liaInANewBox } = require('../tests/steps');

const COUNT = Number(process.env.COFFER_BENCH_FILES || 10_000);

/// Waits until the folder's table shows its first rows, the first one
/// named `first`, and says it holds `n` (every name opened and sorted).
async function rows(page, n, first) {
  await page.waitForFunction(
    ([count, name]) => {
      const cells = document.querySelectorAll('table.nodes tbody tr td:first-child');
      const more = document.querySelector('.table-more');
      return cells.length > 0 && cells[0].innerText.trim() === name && more !== null && more.textContent.includes(`of ${count}.`);
    },
    [n, first],
    { timeout: 600_000, polling: 50 },
  );
}

test('a folder of 10,000 files: listed and deleted', async ({ page: root, coffer, browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one profile: the figures are the machine\'s, not the viewport\'s');
  test.setTimeout(3_600_000);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-')), 'Many');
  fs.mkdirSync(dir);
  const name = (i) => `file-${String(i).padStart(5, '0')}.txt`;
  for (let i = 0; i < COUNT; i += 1) fs.writeFileSync(path.join(dir, name(i)), `file ${i}\n`);
  const first = name(0);

  const { lia } = await liaInANewBox(root, coffer, browser, testInfo, 'Bench');
  await expect(lia.getByRole('heading', { name: 'Bench' })).toBeVisible();

  let start = Date.now();
  await lia.getByLabel('Upload a folder').setInputFiles(dir);
  await lia.waitForFunction(
    (n) => [...document.querySelectorAll('.upload-status')].filter((s) => s.textContent === 'Uploaded').length === n,
    COUNT,
    { timeout: 3_500_000, polling: 1000 },
  );
  const upload = (Date.now() - start) / 1000;

  // Opened from the box: every name shown.
  const box = lia.url();
  await lia.goto(box);
  await expect(lia.getByRole('link', { name: 'Many' })).toBeVisible();
  start = Date.now();
  await lia.getByRole('link', { name: 'Many' }).click();
  await rows(lia, COUNT, first);
  const listed = (Date.now() - start) / 1000;

  // The same folder after a reload of the page (the app starts again).
  start = Date.now();
  await lia.reload();
  await rows(lia, COUNT, first);
  const reloaded = (Date.now() - start) / 1000;

  // Deleting it into the trash, from the box.
  await lia.goto(box);
  start = Date.now();
  await lia.getByRole('button', { name: 'Delete Many' }).click();
  await expect(lia.getByRole('status')).toHaveText('“Many” moved to the trash.', { timeout: 60_000 });
  const deleted = (Date.now() - start) / 1000;

  console.log(
    `folder-10k: ${COUNT} files uploaded in ${upload.toFixed(0)} s (${((upload * 1000) / COUNT).toFixed(0)} ms a file); ` +
    `listed with names in ${listed.toFixed(2)} s (target 1 s), after a reload in ${reloaded.toFixed(2)} s; ` +
    `deleted into the trash in ${deleted.toFixed(2)} s (target 2 s)`,
  );
  fs.rmSync(path.dirname(dir), { recursive: true, force: true });
});
