// BOX-8, CRY-2: "Export box" writes one zip in the browser that opens with
// Debian's `age` and nothing from Coffer: the files as stored (`.age`)
// under their decrypted paths, and `identities.age`, sealed with the
// passphrase the member typed. What is in the trash is not exported. The
// test opens the zip exactly as the README inside says.
const fs = require('node:fs');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const { test, expect } = require('./fixtures');
const { liaInANewBox } = require('./steps');

const PASSPHRASE = 'correct horse battery staple';
const AGE_WITH_PASSPHRASE = path.join(__dirname, '..', 'tools', 'age-passphrase.py');

test('BOX-8: an exported box opens with age alone', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(180_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Case 7');
  const panel = lia.getByRole('region', { name: 'Uploads' });
  const notes = Buffer.from('Witness statements, second draft\n'.repeat(50));
  const big = Buffer.alloc(9 * 1024 * 1024);
  for (let i = 0; i < big.length; i += 1024) big[i] = (i / 1024) % 251;
  await lia.getByLabel('Upload files').setInputFiles([
    { name: 'notes.txt', mimeType: 'text/plain', buffer: notes },
    { name: 'deleted.txt', mimeType: 'text/plain', buffer: Buffer.from('gone') },
  ]);
  await expect(panel.getByText('Uploaded')).toHaveCount(2, { timeout: 30_000 });
  await lia.getByRole('button', { name: 'Delete deleted.txt' }).click();
  await expect(lia.getByRole('status')).toHaveText('“deleted.txt” moved to the trash.');
  await lia.getByLabel('New folder').fill('Drafts');
  await lia.getByRole('button', { name: 'Create folder' }).click();
  await lia.getByRole('link', { name: 'Drafts' }).click();
  // The page it came from has an upload field too: wait for this one.
  await expect(lia.getByRole('heading', { name: 'Drafts' })).toBeVisible();
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'scan.bin', mimeType: 'application/octet-stream', buffer: big }]);
  // The panel keeps the box's uploads beside this one.
  await expect(panel.getByText('Uploaded')).toHaveCount(3, { timeout: 60_000 });
  await lia.getByRole('navigation', { name: 'Where you are' }).getByRole('link', { name: 'Case 7' }).click();
  await expect(lia.getByRole('link', { name: 'Drafts' })).toBeVisible();

  // The passphrase: long enough, and typed the same twice.
  await lia.getByText('Export box').click();
  const pass = lia.getByLabel('Export passphrase');
  const again = lia.getByLabel('The same passphrase again');
  await pass.fill('too short');
  await again.fill('too short');
  await lia.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(lia.getByRole('alert')).toHaveText('Choose an export passphrase of at least 12 characters.');
  await pass.fill(PASSPHRASE);
  await again.fill(`${PASSPHRASE}!`);
  await lia.getByRole('button', { name: 'Export', exact: true }).click();
  await expect(lia.getByRole('alert')).toHaveText('The two export passphrases differ.');
  await again.fill(PASSPHRASE);
  const [download] = await Promise.all([
    lia.waitForEvent('download', { timeout: 60_000 }),
    lia.getByRole('button', { name: 'Export', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('Case 7.zip');
  await expect(lia.getByRole('status')).toHaveText('“Case 7.zip” exported. The README inside says how to open it with age.');
  await expect(pass).toHaveValue('');

  // Opened with unzip and age, as the README inside says.
  const dir = testInfo.outputPath('export');
  fs.mkdirSync(dir, { recursive: true });
  execFileSync('unzip', ['-q', await download.path(), '-d', dir]);
  const listed = execFileSync('find', ['.', '-type', 'f'], { cwd: dir }).toString().trim().split('\n').sort();
  expect(listed).toEqual(['./Case 7/Drafts/scan.bin.age', './Case 7/notes.txt.age', './README.txt', './identities.age']);
  expect(fs.readFileSync(path.join(dir, 'README.txt'), 'utf8')).toContain('age -d -o identities.txt identities.age');
  const keys = path.join(dir, 'identities.txt');
  execFileSync('python3', [AGE_WITH_PASSPHRASE, path.join(dir, 'identities.age'), keys, PASSPHRASE]);
  expect(() => execFileSync('python3', [AGE_WITH_PASSPHRASE, path.join(dir, 'identities.age'), `${keys}.wrong`, 'not the passphrase'], { stdio: 'pipe' })).toThrow();
  const open = (file) => execFileSync('age', ['-d', '-i', keys, path.join(dir, 'Case 7', file)], { maxBuffer: 64 << 20 });
  expect(open('notes.txt.age').equals(notes)).toBe(true);
  expect(open('Drafts/scan.bin.age').equals(big)).toBe(true);

  // The export is in the box's activity.
  await lia.getByRole('link', { name: 'Activity' }).click();
  await expect(lia.getByRole('row').filter({ hasText: 'Exported' })).toHaveCount(1);
  expect(problems).toEqual([]);
});
