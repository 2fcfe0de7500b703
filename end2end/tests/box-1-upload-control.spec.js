// BOX-1 upload control and folder upload: a file on its way can be paused (no part leaves
// while it is paused; the part already on the wire finishes), resumed (it
// completes and downloads intact), and cancelled (nothing of it stays on
// the server). Leaving the page mid-upload asks first; after a reload the
// panel says which file stopped, and its upload is cancelled on the server.
// A picked folder, and a folder dropped on the table, are uploaded with
// their tree of folders recreated.
const fs = require('node:fs');
const path = require('node:path');
const { test, expect } = require('./fixtures');
const { liaInANewBox, expectNeverStored } = require('./steps');

const MiB = 1024 * 1024;

function body(size, seed) {
  const b = Buffer.alloc(size);
  for (let i = 0; i < size; i += 512) b[i] = (i / 512 + seed) % 251;
  return b;
}

/// The uploads whose parts are in the blob store (one folder each).
function partFolders(dataDir) {
  const parts = path.join(dataDir, 'blobs', 'parts');
  return fs.existsSync(parts) ? fs.readdirSync(parts) : [];
}

test('BOX-1: an upload pauses, resumes and cancels; a reload says what stopped', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  const panel = lia.getByRole('region', { name: 'Uploads' });

  // Every part takes a while on this slow line; count what is sent.
  let sent = 0;
  // Once set, every part but the first (part 0, however often it is
  // sent) waits until released, so an upload is surely still running
  // when the page reloads.
  let holding = null;
  await lia.route('**/upload/part/**', async (route) => {
    sent += 1;
    await new Promise((resolve) => setTimeout(resolve, 700));
    if (holding && !route.request().url().endsWith('/0')) await holding.released;
    // A part still held here when the page reloads has nowhere to go.
    await route.continue().catch(() => {});
  });

  // Pause: nothing more leaves; Resume: it completes, intact.
  const big = body(33 * MiB, 1);
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'big.bin', mimeType: 'application/octet-stream', buffer: big }]);
  await lia.getByRole('button', { name: 'Pause big.bin' }).click();
  await expect(panel.getByText(/^Paused at /)).toBeVisible();
  await lia.waitForTimeout(1500);
  const whilePaused = sent;
  await lia.waitForTimeout(2500);
  expect(sent).toBe(whilePaused);
  expect(sent).toBeLessThan(5);
  await lia.getByRole('button', { name: 'Resume big.bin' }).click();
  await expect(panel.getByText('Uploaded')).toHaveCount(1, { timeout: 60_000 });
  expect(sent).toBe(5);
  const [download] = await Promise.all([
    lia.waitForEvent('download'),
    lia.getByRole('button', { name: 'Download big.bin' }).click(),
  ]);
  expect(fs.readFileSync(await download.path()).equals(big)).toBe(true);
  expect(partFolders(coffer.dataDir)).toHaveLength(1);

  // Cancel: the file never appears and its parts are swept.
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'unwanted.bin', mimeType: 'application/octet-stream', buffer: body(25 * MiB, 2) }]);
  await expect(lia.getByRole('button', { name: 'Pause unwanted.bin' })).toBeVisible();
  await expect.poll(() => sent).toBeGreaterThan(5);
  await lia.getByRole('button', { name: 'Cancel unwanted.bin' }).click();
  await expect(panel.getByText('Cancelled')).toBeVisible();
  await expect(lia.getByRole('button', { name: 'Cancel unwanted.bin' })).toHaveCount(0);
  await expect.poll(() => partFolders(coffer.dataDir).length, { timeout: 15_000 }).toBe(1);
  await expect(lia.getByRole('button', { name: 'Download unwanted.bin' })).toHaveCount(0);

  // Reload mid-upload: the browser asks first; afterwards the panel says
  // which file stopped, and its upload is gone from the server.
  let release;
  holding = { released: new Promise((resolve) => { release = resolve; }) };
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'interrupted.bin', mimeType: 'application/octet-stream', buffer: body(25 * MiB, 3) }]);
  await expect(lia.getByRole('button', { name: 'Pause interrupted.bin' })).toBeVisible();
  await expect.poll(() => partFolders(coffer.dataDir).length, { timeout: 30_000 }).toBe(2);
  const asked = [];
  lia.once('dialog', async (dialog) => {
    asked.push(dialog.type());
    await dialog.accept();
  });
  await lia.reload();
  expect(asked).toEqual(['beforeunload']);
  release();
  await lia.unroute('**/upload/part/**');
  await expect(lia.getByRole('status')).toHaveText('The page was reloaded while these files were uploading, so they stopped: interrupted.bin. Upload them again to finish.');
  await expect.poll(() => partFolders(coffer.dataDir).length, { timeout: 15_000 }).toBe(1);
  await expect(lia.getByRole('button', { name: 'Download big.bin' })).toBeVisible();
  await expect(lia.getByRole('button', { name: 'Download interrupted.bin' })).toHaveCount(0);
  expect(problems).toEqual([]);
});

test('BOX-1: a folder uploads with its tree', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(120_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');

  const dir = testInfo.outputPath('Case files');
  fs.mkdirSync(path.join(dir, 'Scans', '2024'), { recursive: true });
  const files = {
    'summary.txt': 'The summary',
    'Scans/page 1.txt': 'First page',
    'Scans/2024/page 2.txt': 'Second page',
  };
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  await lia.getByLabel('Upload a folder').setInputFiles(dir);
  const panel = lia.getByRole('region', { name: 'Uploads' });
  await expect(panel.getByText('Uploaded')).toHaveCount(3, { timeout: 30_000 });
  await expect(panel.getByText('Case files/Scans/2024/page 2.txt')).toBeVisible();

  // The tree is there, each file in its own folder, intact.
  const open = async (name) => lia.getByRole('link', { name }).click();
  const downloaded = async (name) => {
    const [download] = await Promise.all([
      lia.waitForEvent('download'),
      lia.getByRole('button', { name: `Download ${name}` }).click(),
    ]);
    return fs.readFileSync(await download.path()).toString();
  };
  await open('Case files');
  expect(await downloaded('summary.txt')).toBe('The summary');
  await open('Scans');
  expect(await downloaded('page 1.txt')).toBe('First page');
  await open('2024');
  expect(await downloaded('page 2.txt')).toBe('Second page');
  await expect(lia.getByRole('navigation', { name: 'Where you are' })).toHaveText(/Deals.*Case files.*Scans.*2024/);
  // CRY-1: the folders' names came from the browser's folder picker, and
  // neither they nor the files' names or bodies reached the server.
  expectNeverStored(coffer.dataDir, ['Case files', 'Scans', 'summary.txt', 'page 2.txt', 'The summary', 'First page', 'Second page']);
  expect(problems).toEqual([]);
});

/// Headless Chromium cannot drag a folder in from the desktop, so the
/// drop carries what the browser's entries API would hand over for one:
/// directory entries whose reader answers in batches (as Chromium's does,
/// 100 at a time), and file entries that give real `File`s. The page's
/// own code walks them. Runs in the page; returns the drop's DataTransfer.
function folderDropInPage(tree) {
  const entry = (name, node) => {
    if (typeof node === 'string') {
      return { name, isFile: true, isDirectory: false,
        file: (ok) => setTimeout(() => ok(new File([node], name, { type: 'text/plain' })), 0) };
    }
    const children = Object.entries(node).map(([n, c]) => entry(n, c));
    return { name, isFile: false, isDirectory: true,
      createReader: () => {
        const batches = [children.slice(0, 2), children.slice(2)];
        return { readEntries: (ok) => setTimeout(() => ok(batches.shift() || []), 0) };
      } };
  };
  const top = Object.entries(tree).map(([n, c]) => entry(n, c));
  const data = new DataTransfer();
  for (const e of top) data.items.add(new File([''], e.name));
  DataTransferItem.prototype.webkitGetAsEntry = function () {
    const name = this.getAsFile()?.name;
    return top.find((e) => e.name === name) || null;
  };
  return data;
}

test('BOX-1: a folder dropped on the table uploads with its tree, empty folders too', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(120_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  const tree = {
    'Case files': {
      'summary.txt': 'The summary',
      Scans: { 'page 1.txt': 'First page', 2024: { 'page 2.txt': 'Second page' } },
      Empty: {},
    },
    'loose.txt': 'Dropped beside the folder',
  };
  const drop = await lia.evaluateHandle(folderDropInPage, tree);
  await lia.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: drop });
  const panel = lia.getByRole('region', { name: 'Uploads' });
  await expect(panel.getByText('Uploaded')).toHaveCount(4, { timeout: 30_000 });
  await expect(panel.getByText('Case files/Scans/2024/page 2.txt')).toBeVisible();

  const downloaded = async (name) => {
    const [download] = await Promise.all([
      lia.waitForEvent('download'),
      lia.getByRole('button', { name: `Download ${name}` }).click(),
    ]);
    return fs.readFileSync(await download.path()).toString();
  };
  expect(await downloaded('loose.txt')).toBe('Dropped beside the folder');
  await lia.getByRole('link', { name: 'Case files' }).click();
  expect(await downloaded('summary.txt')).toBe('The summary');
  await lia.getByRole('link', { name: 'Empty' }).click();
  await expect(lia.getByText('This folder is empty.')).toBeVisible();
  await lia.goBack();
  await lia.getByRole('link', { name: 'Scans' }).click();
  expect(await downloaded('page 1.txt')).toBe('First page');
  await lia.getByRole('link', { name: '2024' }).click();
  expect(await downloaded('page 2.txt')).toBe('Second page');
  await expect(lia.getByRole('navigation', { name: 'Where you are' })).toHaveText(/Deals.*Case files.*Scans.*2024/);
  expectNeverStored(coffer.dataDir, ['Case files', 'Scans', 'Empty', 'loose.txt', 'page 2.txt', 'The summary', 'Second page', 'Dropped beside']);
  expect(problems).toEqual([]);
});

test('BOX-1: a large folder uploads with a summed-up panel, draws its first 200 rows, sorts and filters all of them', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  const dir = testInfo.outputPath('Many');
  fs.mkdirSync(dir, { recursive: true });
  for (let i = 0; i < 205; i += 1) fs.writeFileSync(path.join(dir, `note ${String(i).padStart(3, '0')}.txt`), `note ${i}`);
  await lia.getByLabel('Upload a folder').setInputFiles(dir);
  const panel = lia.getByRole('region', { name: 'Uploads' });
  // The panel draws the next few waiting and the latest finished, and
  // sums the queue up in one line.
  await expect(panel.getByText(/^\d+ of 205 uploaded$/)).toBeVisible();
  await expect(panel.getByText('205 of 205 uploaded')).toBeVisible({ timeout: 150_000 });
  await expect(panel.getByText('Uploaded', { exact: true })).toHaveCount(20);
  await lia.getByRole('link', { name: 'Many' }).click();

  const table = lia.getByRole('table', { name: 'Contents' });
  const rows = table.getByRole('row');
  await expect(rows).toHaveCount(201); // the heading row and 200
  await expect(lia.getByText('Showing 200 of 205.')).toBeVisible();
  await expect(table.getByText('note 204.txt')).toHaveCount(0);
  // Sorting and filtering cover the rows not drawn yet.
  await lia.getByRole('button', { name: 'Name', exact: true }).click();
  await expect(rows.nth(1)).toContainText('note 204.txt');
  await lia.getByLabel('Filter by name').fill('note 20');
  await expect(rows).toHaveCount(6); // note 200 to note 204
  await expect(lia.getByText(/^Showing /)).toHaveCount(0);
  await lia.getByLabel('Filter by name').fill('');
  await lia.getByRole('button', { name: 'Show more' }).click();
  await expect(rows).toHaveCount(206);
  await expect(lia.getByRole('button', { name: 'Show more' })).toHaveCount(0);
  expect(problems).toEqual([]);
});
