// BOX-1 large-folder benchmark (docs/PERFORMANCE.md): a folder of 10,000
// small files, made with "New folder" and filled with "Upload files" (the
// time per file is reported too), then: opening the folder until its first rows show their
// names and it says how many it holds (every name is opened in the worker
// and sorted, the first 200 rows drawn), the same after a reload of the
// page; BOX-2: sharing the folder with Ann from its Share panel until it
// says so (with the requests it took), and Ann opening it from "Shared
// with me" until it is listed with names; and deleting the folder into the
// trash until it says so. Run by scripts/bench-files.sh
// (COFFER_BENCH_FILES changes the count).
// Playwright sets the instance up; the rest runs in a plain Chromium
// (bench/plain-chromium.js says why).
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test } = require('../tests/fixtures');
const { liaInABenchBox, signedIn } = require('./plain-chromium');
const { ADMIN_PW, addMemberAndSignIn } = require('../tests/steps');

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
  // Ann, a member Lia shares the folder with, has her keys.
  const before = async (lia) => {
    const ann = await addMemberAndSignIn(lia, root, browser, testInfo, 'ann@acme.test', ADMIN_PW);
    await ann.context().close();
  };
  const { plain, box } = await liaInABenchBox(root, coffer, browser, testInfo, { before });
  let ann = null;
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

    // BOX-2: shared with Ann from the folder's Share panel: one permit,
    // however many files; the requests it took are counted.
    await plain.until(() => document.querySelector('.share-panel form') !== null);
    await plain.fill('Email address', 'ann@acme.test');
    // The suggestions asked for as the address was typed are not the share.
    await new Promise((r) => setTimeout(r, 1000));
    const mark = await plain.evaluate(() => performance.getEntriesByType('resource').length);
    start = Date.now();
    await plain.evaluate(() => document.querySelector('.share-panel form button[type=submit]').click());
    await plain.shows('[role=status]', 'Shared with ann@acme.test.', { every: 5 });
    const shared = (Date.now() - start) / 1000;
    const calls = await plain.evaluate((from) => performance.getEntriesByType('resource').slice(from)
      .map((e) => new URL(e.name).pathname).filter((p) => p.startsWith('/api/')), mark);

    // Ann opens it from "Shared with me" in a Chromium of her own.
    ann = await signedIn(coffer.url, 'ann@acme.test', ADMIN_PW, `${coffer.url}/boxes`);
    await ann.shows('a', 'Many', { timeout: 30_000 });
    start = Date.now();
    await ann.follow('Many');
    await ann.until(listed, [COUNT, first], { timeout: 600_000, every: 20 });
    const received = (Date.now() - start) / 1000;

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
      `shared in ${(shared * 1000).toFixed(0)} ms (target 200 ms) with ${calls.length} requests (${calls.join(', ')}); ` +
      `listed by the recipient with names in ${received.toFixed(2)} s (target 1 s); ` +
      `deleted into the trash in ${deleted.toFixed(2)} s (target 2 s)`,
    );
  } finally {
    if (ann) await ann.close();
    await plain.close();
    fs.rmSync(path.dirname(dir), { recursive: true, force: true });
  }
});
