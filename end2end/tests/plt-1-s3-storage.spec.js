// PLT-1: with `blob_url` set, ciphertext goes to S3-compatible storage (the
// server the test command starts): a file uploaded in the browser lands in
// the bucket, not in the data folder, and downloads byte for byte.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn } = require('./steps');

const bucket = process.env.COFFER_TEST_S3_URL;
test.use({ cofferEnv: { COFFER_BLOB_URL: `${bucket}/e2e-${crypto.randomUUID()}` } });

test('PLT-1: files kept in S3-compatible storage upload and download intact', async ({ page: root, coffer, browser }, testInfo) => {
  expect(bucket, 'COFFER_TEST_S3_URL: scripts/test.sh starts an S3-compatible server').toBeTruthy();
  test.setTimeout(120_000);
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  await lia.getByRole('link', { name: 'Boxes' }).click();
  await lia.getByLabel('New box').fill('Cloud');
  await lia.getByRole('button', { name: 'Create box' }).click();
  await lia.getByRole('link', { name: 'Cloud' }).click();

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
