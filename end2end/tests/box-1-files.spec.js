// BOX-1, CRY-1, CRY-2: files encrypted in the browser's worker, sent in
// parts and read back. An Originator uploads files with the file picker
// and by dropping them on the folder, watches them in the upload panel,
// downloads each (bytes compared with the originals), and a network drop
// in the middle of a two-part upload resumes without sending the
// acknowledged part again. Neither a name nor a body is anywhere the
// server writes.
const fs = require('node:fs');
const path = require('node:path');
const { test, expect, newPerson, watchForProblems } = require('./fixtures');
const { ADMIN_PW: PW, setUpInstance, createOrganisation, acceptInvitationAndSignIn, expectNeverStored } = require('./steps');

const SECRET = 'The acquisition price is forty-two million';
const MINIMAL_PDF = '%PDF-1.1\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n';

async function downloadBytes(page, name) {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('button', { name: `Download ${name}` }).click(),
  ]);
  expect(download.suggestedFilename()).toBe(name);
  return fs.readFileSync(await download.path());
}

test('BOX-1: files are encrypted in the browser, uploaded in parts and downloaded intact', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  await setUpInstance(root, coffer);
  const invitation = await createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', PW);
  // ORG-8: a 1 GB plan, so My account shows a bar.
  await lia.getByRole('link', { name: 'Plans' }).click();
  const planForm = lia.getByRole('form', { name: 'Plan' });
  await planForm.getByLabel('Plan name').fill('Standard');
  await planForm.getByLabel('Storage quota (GB)').fill('1');
  await planForm.getByRole('button', { name: 'Add plan' }).click();
  await expect(lia.getByRole('status')).toHaveText('Plan “Standard” saved.');
  // BOX-10: how long deleted items stay in a trash (30 days unless set).
  await lia.getByRole('link', { name: 'Configuration' }).click();
  const retention = lia.getByLabel('Trash retention (days)');
  await expect(retention).toHaveValue('30');
  await retention.fill('0');
  await lia.getByRole('button', { name: 'Save configuration' }).click();
  await expect(lia.getByRole('alert')).toHaveText('Items stay in the trash from 1 to 3,650 days.');
  await retention.fill('7');
  await lia.getByRole('button', { name: 'Save configuration' }).click();
  await expect(lia.getByRole('status')).toHaveText('Configuration saved.');
  await lia.reload();
  await expect(lia.getByLabel('Trash retention (days)')).toHaveValue('7');

  await lia.getByRole('link', { name: 'My account' }).click();
  await expect(lia.getByTestId('usage')).toHaveText('0 bytes of 1.0 GB used');

  await lia.getByRole('link', { name: 'Boxes' }).click();
  await lia.getByLabel('New box').fill('Deals');
  await lia.getByRole('button', { name: 'Create box' }).click();
  await lia.getByRole('link', { name: 'Deals' }).click();
  await expect(lia.getByRole('heading', { name: 'Deals' })).toBeVisible();

  // Three files through the picker, one of them empty.
  const notes = Buffer.from(`${SECRET}\n`.repeat(200));
  const picture = Buffer.from('89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d4944415478da63f8cfc0f01f0005000201a5e5e2e40000000049454e44ae426082', 'hex');
  await lia.getByLabel('Upload files').setInputFiles([
    { name: 'Merger plan Zebra.txt', mimeType: 'text/plain', buffer: notes },
    { name: 'empty.txt', mimeType: 'text/plain', buffer: Buffer.alloc(0) },
    { name: 'pixel.png', mimeType: 'image/png', buffer: picture },
  ]);
  const panel = lia.getByRole('region', { name: 'Uploads' });
  await expect(panel.getByRole('listitem')).toHaveCount(3);
  await expect(panel.getByText('Uploaded')).toHaveCount(3, { timeout: 30_000 });
  const row = (name) => lia.getByRole('row').filter({ hasText: name });
  await expect(row('Merger plan Zebra.txt').getByRole('cell', { name: '8.6 KB' })).toBeVisible();
  await expect(row('pixel.png').getByRole('cell', { name: 'image/png' })).toBeVisible();
  await expect(row('empty.txt').getByRole('cell', { name: '0 bytes' })).toBeVisible();

  // A file dropped on the folder.
  const dropped = await lia.evaluateHandle(() => {
    const data = new DataTransfer();
    data.items.add(new File(['dropped on the table'], 'dropped.txt', { type: 'text/plain' }));
    return data;
  });
  await lia.locator('.drop-zone').dispatchEvent('drop', { dataTransfer: dropped });
  await expect(panel.getByText('Uploaded')).toHaveCount(4, { timeout: 30_000 });
  await expect(lia.getByRole('button', { name: 'Download dropped.txt' })).toBeVisible();

  // A two-part file whose second part loses the connection once: the
  // worker sends it again; the first part, acknowledged, is not resent.
  const big = Buffer.alloc(9 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 4096) big[i] = i % 251;
  const sent = {};
  let dropNext = true;
  await lia.route('**/upload/part/**', async (route) => {
    const part = route.request().url().split('/').pop();
    sent[part] = (sent[part] || 0) + 1;
    if (part === '1' && dropNext) {
      dropNext = false;
      return route.abort('connectionreset');
    }
    return route.continue();
  });
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'archive.bin', mimeType: 'application/octet-stream', buffer: big }]);
  await expect(panel.getByText('Uploaded')).toHaveCount(5, { timeout: 60_000 });
  expect(sent).toEqual({ 0: 1, 1: 2 });
  await lia.unroute('**/upload/part/**');

  // After a reload, every file downloads byte for byte.
  await lia.reload();
  await expect(lia.getByRole('button', { name: 'Download archive.bin' })).toBeVisible();
  expect((await downloadBytes(lia, 'Merger plan Zebra.txt')).equals(notes)).toBe(true);
  expect((await downloadBytes(lia, 'empty.txt')).length).toBe(0);
  expect((await downloadBytes(lia, 'pixel.png')).equals(picture)).toBe(true);
  expect((await downloadBytes(lia, 'dropped.txt')).toString()).toBe('dropped on the table');
  expect((await downloadBytes(lia, 'archive.bin')).equals(big)).toBe(true);
  // Nothing wider than the screen, on a phone too.
  expect(await lia.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

  // The table sorts and filters in the browser (names are only readable
  // here), and each file says who uploaded it.
  const names = () => lia.locator('table.nodes tbody tr td:first-child').allInnerTexts();
  await expect(row('archive.bin').getByRole('cell', { name: 'lia@acme.test' })).toBeVisible();
  expect(await names()).toEqual(['archive.bin', 'dropped.txt', 'empty.txt', 'Merger plan Zebra.txt', 'pixel.png']);
  await lia.getByRole('button', { name: 'Size', exact: true }).click();
  expect(await names()).toEqual(['empty.txt', 'dropped.txt', 'pixel.png', 'Merger plan Zebra.txt', 'archive.bin']);
  await lia.getByRole('button', { name: 'Size', exact: true }).click();
  await expect(lia.getByRole('columnheader', { name: 'Size' })).toHaveAttribute('aria-sort', 'descending');
  expect(await names()).toEqual(['archive.bin', 'Merger plan Zebra.txt', 'pixel.png', 'dropped.txt', 'empty.txt']);
  await lia.getByLabel('Filter by name').fill('TXT');
  expect(await names()).toEqual(['Merger plan Zebra.txt', 'dropped.txt', 'empty.txt']);
  await lia.getByLabel('Filter by name').fill('nothing like it');
  await expect(lia.getByRole('cell', { name: 'Nothing here matches “nothing like it”.' })).toBeVisible();
  await lia.getByLabel('Filter by name').fill('');
  await lia.getByRole('button', { name: 'Name', exact: true }).click();

  // BOX-7 previews, decrypted in the browser: an image, a text, a PDF.
  await lia.getByRole('button', { name: 'Preview pixel.png' }).click();
  const shown = lia.getByRole('region', { name: 'Preview of pixel.png' });
  await expect(shown.getByRole('img', { name: 'pixel.png' })).toBeVisible();
  expect(await shown.getByRole('img').evaluate((img) => img.complete && img.naturalWidth)).toBe(1);
  await lia.getByRole('button', { name: 'Preview Merger plan Zebra.txt' }).click();
  await expect(lia.getByRole('region', { name: 'Preview of Merger plan Zebra.txt' })).toContainText(SECRET);
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'terms.pdf', mimeType: 'application/pdf', buffer: Buffer.from(MINIMAL_PDF) }]);
  await expect(panel.getByText('Uploaded')).toHaveCount(1);
  await lia.getByRole('button', { name: 'Preview terms.pdf' }).click();
  const frame = lia.getByRole('region', { name: 'Preview of terms.pdf' }).locator('iframe');
  await expect(frame).toHaveAttribute('src', /^blob:/);
  await lia.getByRole('button', { name: 'Close preview' }).click();
  await expect(lia.getByRole('region', { name: /Preview of/ })).toHaveCount(0);

  // Move: a file into a folder beside it (its key wrapped again to the
  // folder's), where it still downloads intact, and back up.
  await lia.getByLabel('New folder').fill('Signed');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await expect(lia.getByRole('link', { name: 'Signed' })).toBeVisible();
  await lia.getByRole('button', { name: 'Move pixel.png' }).click();
  await lia.getByLabel('Move pixel.png to').selectOption({ label: 'Signed' });
  await lia.getByRole('button', { name: 'Move here' }).click();
  await expect(lia.getByRole('status')).toHaveText('“pixel.png” moved.');
  await expect(lia.getByRole('button', { name: 'Download pixel.png' })).toHaveCount(0);
  await lia.getByRole('link', { name: 'Signed' }).click();
  expect((await downloadBytes(lia, 'pixel.png')).equals(picture)).toBe(true);
  await lia.getByRole('button', { name: 'Move pixel.png' }).click();
  await lia.getByLabel('Move pixel.png to').selectOption({ label: 'Up to Deals' });
  await lia.getByRole('button', { name: 'Move here' }).click();
  await expect(lia.getByText('This folder is empty.')).toBeVisible();
  await lia.getByRole('navigation', { name: 'Where you are' }).getByRole('link', { name: 'Deals' }).click();
  await expect(lia.getByRole('button', { name: 'Download pixel.png' })).toBeVisible();

  // A file goes to the trash and comes back like a folder.
  await lia.getByRole('button', { name: 'Delete dropped.txt' }).click();
  await expect(lia.getByRole('status')).toHaveText('“dropped.txt” moved to the trash.');
  await lia.getByRole('link', { name: 'Trash' }).click();
  await lia.getByRole('button', { name: 'Restore dropped.txt' }).click();
  await lia.getByRole('link', { name: 'Back to the box' }).click();
  await expect(lia.getByRole('button', { name: 'Download dropped.txt' })).toBeVisible();

  // BOX-6: the bar on My account counts what is stored (ciphertext and
  // headers: a little more than the 9.4 MB of plaintext).
  await lia.getByRole('link', { name: 'My account' }).click();
  await expect(lia.getByTestId('usage')).toHaveText(/^9\.\d MB of 1\.0 GB used$/);
  const bar = lia.getByRole('progressbar', { name: 'Storage used' });
  expect(Number(await bar.getAttribute('value'))).toBeGreaterThan(9_437_184);

  // BOX-12: the box's activity, with names opened in the browser.
  await lia.getByRole('link', { name: 'Boxes' }).click();
  await lia.getByRole('link', { name: 'Deals' }).click();
  await lia.getByRole('link', { name: 'Activity' }).click();
  await expect(lia.getByRole('heading', { name: 'Activity' })).toBeVisible();
  const uploaded = lia.getByRole('row').filter({ hasText: 'Merger plan Zebra.txt' }).filter({ hasText: 'Uploaded' });
  await expect(uploaded).toHaveCount(1);
  await expect(uploaded.getByRole('cell', { name: /lia@acme\.test/ })).toBeVisible();
  await expect(lia.getByRole('row').filter({ hasText: 'Moved' }).filter({ hasText: 'pixel.png' })).toHaveCount(2);
  await expect(lia.getByRole('row').filter({ hasText: 'Created the box' })).toHaveCount(1);

  // CRY-1: the server wrote neither names nor bodies, in any form; the
  // control shows the search reads what is there.
  expectNeverStored(coffer.dataDir, ['Merger plan Zebra', SECRET, 'dropped on the table', 'archive.bin']);
  expect(problems).toEqual([]);
});
