// PLT-1: with `blob_url` set, ciphertext goes to S3-compatible storage (the
// server the test command starts): a file uploaded in the browser lands in
// the bucket, not in the data folder, and downloads byte for byte.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test, expect } = require('./fixtures');
const { liaInANewBox } = require('./steps');

const bucket = process.env.COFFER_TEST_S3_URL;
test.use({ cofferEnv: { COFFER_BLOB_URL: `${bucket}/e2e-${crypto.randomUUID()}` } });

test('PLT-1: files kept in S3-compatible storage upload and download intact', async ({ page: root, coffer, browser }, testInfo) => {
  expect(bucket, 'COFFER_TEST_S3_URL: scripts/test.sh starts an S3-compatible server').toBeTruthy();
  test.setTimeout(120_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Cloud');

  const body = crypto.randomBytes(9 * 1024 * 1024);
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'in-the-bucket.bin', mimeType: 'application/octet-stream', buffer: body }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 60_000 });
  const [download] = await Promise.all([
    lia.waitForEvent('download'),
    lia.getByRole('button', { name: 'Download in-the-bucket.bin' }).click(),
  ]);
  expect(fs.readFileSync(await download.path()).equals(body)).toBe(true);
  expect(fs.existsSync(path.join(coffer.dataDir, 'blobs', 'parts'))).toBe(false);
  expect(problems).toEqual([]);
});
