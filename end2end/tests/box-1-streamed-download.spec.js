// BOX-1 streamed download: a file over 64 MiB is written into the file
// the person chooses in the browser's save dialog as it is decrypted, so
// memory stays bounded by a part. Headless Chromium has no dialog to click,
// so the test answers it with a file of the origin-private file system
// (steps.answerSaveDialogs) and reads that back. A file changed on the
// server stops the download with the integrity message and leaves no file
// behind; closing the dialog does nothing at all. In a browser without
// that dialog (Firefox, Safari), the same download streams to the
// browser's downloads through the download service worker, and a changed
// file fails there; cancelling it there stops the transfer quietly.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test, expect } = require('./fixtures');
const { liaInANewBox, answerSaveDialogs, savedFiles, asSaved } = require('./steps');

const MiB = 1024 * 1024;

test('BOX-1: a large download streams into the chosen file; a changed file leaves nothing', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(240_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  await answerSaveDialogs(lia);

  const big = crypto.randomBytes(65 * MiB + 12_345);
  const file = testInfo.outputPath('video.bin');
  fs.writeFileSync(file, big);
  await lia.getByLabel('Upload files').setInputFiles(file);
  const panel = lia.getByRole('region', { name: 'Uploads' });
  await expect(panel.getByText('Uploaded')).toHaveCount(1, { timeout: 120_000 });

  // Written into the chosen file, not through the browser's downloads.
  let downloads = 0;
  lia.on('download', () => (downloads += 1));
  await lia.getByRole('button', { name: 'Download video.bin' }).click();
  await expect(lia.getByRole('status')).toHaveText('“video.bin” downloaded.', { timeout: 60_000 });
  expect(await savedFiles(lia)).toEqual({ 'video.bin': asSaved(big) });
  expect(downloads).toBe(0);

  // Closing the save dialog: nothing happens, nothing is said.
  await lia.evaluate(() => (window.declineSave = true));
  await lia.getByRole('button', { name: 'Download video.bin' }).click();
  await expect(lia.getByRole('button', { name: 'Download video.bin' })).toBeEnabled();
  await expect(lia.getByRole('status')).toHaveCount(0);
  await expect(lia.getByRole('alert')).toHaveCount(0);
  await lia.evaluate(() => (window.declineSave = false));

  // One byte of the last part changed on the server: the download stops
  // with the integrity message, and the chosen file is gone (the bytes
  // already written were in the browser's swap file, now discarded).
  const parts = path.join(coffer.dataDir, 'blobs', 'parts');
  const [upload] = fs.readdirSync(parts);
  const stored = fs.readdirSync(path.join(parts, upload)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10)); // "<n>-<sha256>"
  const last = path.join(parts, upload, stored[stored.length - 1]);
  const bytes = fs.readFileSync(last);
  bytes[100] ^= 1;
  fs.writeFileSync(last, bytes);
  await lia.getByRole('button', { name: 'Download video.bin' }).click();
  await expect(lia.getByRole('alert')).toHaveText('This file was changed outside Coffer', { timeout: 60_000 });
  expect(await savedFiles(lia)).toEqual({});
  expect(downloads).toBe(0);
  expect(problems).toEqual([]);
});

const sha256 = (bytes) => crypto.createHash('sha256').update(bytes).digest('hex');

/// One byte of the last stored part of the only upload, flipped on disk.
function changeLastPart(dataDir) {
  const parts = path.join(dataDir, 'blobs', 'parts');
  const [upload] = fs.readdirSync(parts);
  const stored = fs.readdirSync(path.join(parts, upload)).sort((a, b) => parseInt(a, 10) - parseInt(b, 10));
  const last = path.join(parts, upload, stored[stored.length - 1]);
  const bytes = fs.readFileSync(last);
  bytes[100] ^= 1;
  fs.writeFileSync(last, bytes);
}

test('BOX-1: without a save dialog, a large download streams to the downloads through the service worker', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(240_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  // As in Firefox and Safari: no save dialog for the page.
  await lia.evaluate(() => { window.showSaveFilePicker = undefined; });

  const big = crypto.randomBytes(65 * MiB + 12_345);
  const file = testInfo.outputPath('video.bin');
  fs.writeFileSync(file, big);
  await lia.getByLabel('Upload files').setInputFiles(file);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 120_000 });

  const [download] = await Promise.all([
    lia.waitForEvent('download'),
    lia.getByRole('button', { name: 'Download video.bin' }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('video.bin');
  expect(download.url()).toMatch(/\/public\/download\/[0-9a-f]{32}$/);
  expect(sha256(fs.readFileSync(await download.path()))).toBe(sha256(big));
  await expect(lia.getByRole('status')).toHaveText('“video.bin” downloaded.', { timeout: 60_000 });
  // The stream came from the service worker, registered for downloads only.
  const scopes = await lia.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).map((r) => new URL(r.scope).pathname));
  expect(scopes).toEqual(['/public/download/']);

  // Cancelled in the browser's downloads (while the parts come slowly):
  // the transfer stops, and the page says nothing, as when a save dialog
  // is closed.
  await lia.route('**/file/**/part/*', async (route) => {
    await new Promise((r) => setTimeout(r, 500));
    // The transfer may have stopped while this part waited.
    await route.continue().catch(() => {});
  });
  const [cancelled] = await Promise.all([
    lia.waitForEvent('download'),
    lia.getByRole('button', { name: 'Download video.bin' }).click(),
  ]);
  await cancelled.cancel();
  expect(await cancelled.failure()).toBe('canceled');
  await expect(lia.getByRole('button', { name: 'Download video.bin' })).toBeEnabled({ timeout: 30_000 });
  await expect(lia.getByRole('status')).toHaveCount(0);
  await expect(lia.getByRole('alert')).toHaveCount(0);
  await lia.unrouteAll({ behavior: 'ignoreErrors' });

  // A changed part: the page says so, and the browser's download fails
  // (it discards what it had written).
  changeLastPart(coffer.dataDir);
  const [failed] = await Promise.all([
    lia.waitForEvent('download'),
    lia.getByRole('button', { name: 'Download video.bin' }).click(),
  ]);
  await expect(lia.getByRole('alert')).toHaveText('This file was changed outside Coffer', { timeout: 60_000 });
  expect(await failed.failure()).not.toBeNull();
  expect(problems).toEqual([]);
});
