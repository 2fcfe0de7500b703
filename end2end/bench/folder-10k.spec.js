// BOX-1 large-folder benchmark (docs/PERFORMANCE.md): a folder of 10,000
// small files, made with "New folder" and filled with "Upload files" (the
// time per file is reported too), then: opening the folder until its first rows show their
// names and it says how many it holds (every name is opened in the worker
// and sorted, the first 200 rows drawn), the same after a reload of the
// page, and deleting the folder into the trash until it says so. Run by
// scripts/bench-files.sh (COFFER_BENCH_FILES changes the count).
// Playwright sets the instance up; the rest runs in a plain Chromium
// (bench/plain-chromium.js says why).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('../tests/fixtures');
const { liaInABenchBox } = require('./plain-chromium');

const COUNT = Number(process.env.COFFER_BENCH_FILES || 10_000);

/// Whether the folder's table shows its first rows, the first one named
/// `first`, and says it holds `count` (every name opened and sorted). Runs
/// in the page.
function listed([count, first]) {
  const cells = document.querySelectorAll('table.nodes tbody tr td:first-child');
  const more = document.querySelector('.table-more');
  // Up to 200 rows are drawn; a longer folder says how many it holds.
  const counted = count <= 200 ? cells.length === count : more !== null && more.textContent.includes(`of ${count}.`);
  return cells.length > 0 && cells[0].innerText.trim() === first && counted;
}

test('a folder of 10,000 files: listed and deleted', async ({ page: root, coffer, browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one profile: the figures are the machine\'s, not the viewport\'s');
  test.setTimeout(3_600_000);
  const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-')), 'Many');
  fs.mkdirSync(dir);
  const name = (i) => `file-${String(i).padStart(5, '0')}.txt`;
  for (let i = 0; i < COUNT; i += 1) fs.writeFileSync(path.join(dir, name(i)), `file ${i}\n`);
  const first = name(0);

  // Lia in a Chromium that Playwright does not watch.
  const { plain, box } = await liaInABenchBox(root, coffer, browser, testInfo);
  try {
    // The folder made, then its files chosen in it at once.
    await plain.shows('label', 'New folder');
    await plain.fill('New folder', 'Many');
    await plain.click('Create folder');
    await plain.shows('a', 'Many');
    await plain.follow('Many');
    await plain.shows('h1', 'Many');
    let start = Date.now();
    await plain.choose('Upload files', fs.readdirSync(dir).map((f) => path.join(dir, f)));
    await plain.until(
      (n) => document.querySelector('.upload-summary')?.textContent === `${n} of ${n} uploaded`,
      COUNT,
      { timeout: 3_500_000, every: 1000 },
    );
    const upload = (Date.now() - start) / 1000;

    // Opened from the box: the first rows named, the count said.
    await plain.goto(box);
    await plain.shows('a', 'Many');
    start = Date.now();
    await plain.follow('Many');
    await plain.until(listed, [COUNT, first], { timeout: 600_000, every: 20 });
    const opened = (Date.now() - start) / 1000;

    // The same folder after a reload of the page (the app starts again).
    start = Date.now();
    await plain.reload();
    await plain.until(listed, [COUNT, first], { timeout: 600_000, every: 20 });
    const reloaded = (Date.now() - start) / 1000;

    // Deleting it into the trash, from the box.
    await plain.goto(box);
    await plain.until(() => [...document.querySelectorAll('button')].some((b) => b.getAttribute('aria-label') === 'Delete Many'));
    start = Date.now();
    await plain.click('Delete Many');
    await plain.shows('[role=status]', '“Many” moved to the trash.', { every: 20 });
    const deleted = (Date.now() - start) / 1000;

    console.log(
      `folder-10k: ${COUNT} files uploaded in ${upload.toFixed(0)} s (${((upload * 1000) / COUNT).toFixed(0)} ms a file); ` +
      `listed with names in ${opened.toFixed(2)} s (target 1 s), after a reload in ${reloaded.toFixed(2)} s; ` +
      `deleted into the trash in ${deleted.toFixed(2)} s (target 2 s)`,
    );
  } finally {
    await plain.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
