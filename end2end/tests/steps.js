// Steps several specs take the same way a person would.
const { expect, newPerson, watchForProblems } = require('./fixtures');

exports.ADMIN = 'root@coffer.test';
exports.ADMIN_PW = 'correct horse battery staple';

exports.signIn = async (page, who, password) => {
  await page.getByLabel('Email or user name').fill(who);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
};

/// ACC-1 on a fresh instance, with the setup code the server printed; the
/// administrator ends on Organisations.
exports.setUpInstance = async (page, coffer) => {
  await page.goto(coffer.url);
  await page.getByLabel('Setup code').fill(coffer.setupCode);
  await page.getByLabel('Email').fill(exports.ADMIN);
  await page.getByLabel('Password', { exact: true }).fill(exports.ADMIN_PW);
  await page.getByLabel('Confirm password').fill(exports.ADMIN_PW);
  await page.getByRole('button', { name: 'Create administrator' }).click();
  await expect(page.getByRole('heading', { name: 'Organisations' })).toBeVisible();
};

/// Creates an organisation and returns the invitation link from the outbox.
exports.createOrganisation = async (page, name, seats, adminEmail) => {
  await page.getByRole('button', { name: 'New organisation' }).click();
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Licence seats').fill(String(seats));
  await page.getByLabel('Expiry date').fill('2099-12-31');
  await page.getByLabel('Administrator email').fill(adminEmail);
  await page.getByRole('button', { name: 'Create organisation' }).click();
  await expect(page.getByRole('status')).toContainText(`${name} was created`);
  await page.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await page.getByRole('link', { name: `You are invited to ${name} on Coffer` }).click();
  return page.getByRole('link', { name: /\/invite#/ }).getAttribute('href');
};

/// Reads an .xlsx with Python's openpyxl — a reader that is not the writer.
exports.readXlsx = (file) => {
  const { execFileSync } = require('node:child_process');
  const script = 'import json,sys,openpyxl\nws=openpyxl.load_workbook(sys.argv[1]).active\n'
    + 'print(json.dumps([[("" if c is None else str(c)) for c in r] for r in ws.iter_rows(values_only=True)]))';
  return JSON.parse(execFileSync('python3', ['-c', script, file]).toString());
};

/// The invited person opens their link in a browser of their own, chooses a
/// password and signs in.
exports.acceptInvitationAndSignIn = async (page, link, email, password) => {
  await page.goto(link);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByLabel('Confirm password').fill(password);
  await page.getByRole('button', { name: 'Accept invitation' }).click();
  await expect(page.getByRole('status')).toHaveText('Your password is set. Sign in to continue.');
  await exports.signIn(page, email, password);
};

/// An organisation's Liaison (on `lia`) adds `email`; the invitation is
/// read from the instance administrator's outbox (on `root`), and the new
/// member accepts it and signs in on a page of their own, which is returned.
exports.addMemberAndSignIn = async (lia, root, browser, testInfo, email, password) => {
  await lia.getByRole('link', { name: 'Users' }).click();
  await lia.getByRole('button', { name: 'Add user' }).click();
  const form = lia.getByRole('form', { name: 'Add user' });
  await form.getByLabel('Email').fill(email);
  await form.getByRole('button', { name: 'Add', exact: true }).click();
  await expect(lia.getByRole('status')).toContainText(`${email} was added`);
  await root.getByRole('main').getByRole('link', { name: 'Outbox' }).click();
  await root.getByRole('listitem').filter({ hasText: `To ${email}` })
    .getByRole('link', { name: 'You are invited to Acme on Coffer' }).first().click();
  const invitation = await root.getByRole('link', { name: /\/invite#/ }).getAttribute('href');
  const page = await (await newPerson(browser, testInfo)).newPage();
  await exports.acceptInvitationAndSignIn(page, invitation, email, password);
  return page;
};

/// Runs SQL against a test server's SQLite database (to play the attacker).
/// The member's key fingerprint, as My account shows it.
exports.fingerprintOf = async (page) => {
  await page.getByRole('link', { name: 'My account' }).click();
  const shown = page.getByTestId('fingerprint');
  await expect(shown).toHaveText(/^[0-9A-F]{4}( [0-9A-F]{4}){9}$/);
  return shown.textContent();
};

exports.sqlite = (dataDir, sql) => {
  const { execFileSync } = require('node:child_process');
  const script = 'import sqlite3,sys\nc=sqlite3.connect(sys.argv[1])\nc.execute(sys.argv[2])\nc.commit()';
  execFileSync('python3', ['-c', script, require('node:path').join(dataDir, 'coffer.db'), sql]);
};

/// A solid-colour PNG of the given size, written with Node's zlib (the
/// checksum table is the PNG specification's CRC-32).
exports.makePng = (width, height) => {
  const zlib = require('node:zlib');
  const table = Array.from({ length: 256 }, (_, n) => {
    let c = n;
    for (let k = 0; k < 8; k += 1) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    return c >>> 0;
  });
  const crc = (buf) => {
    let c = 0xffffffff;
    for (const b of buf) c = table[(c ^ b) & 0xff] ^ (c >>> 8);
    return (c ^ 0xffffffff) >>> 0;
  };
  const chunk = (type, data) => {
    const len = Buffer.alloc(4);
    len.writeUInt32BE(data.length);
    const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
    const sum = Buffer.alloc(4);
    sum.writeUInt32BE(crc(body));
    return Buffer.concat([len, body, sum]);
  };
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bit depth
  header[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.alloc(width * 3, 0x40)]);
  const pixels = zlib.deflateSync(Buffer.concat(Array.from({ length: height }, () => row)));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header), chunk('IDAT', pixels), chunk('IEND', Buffer.alloc(0)),
  ]);
};

/// An instance with the organisation Acme, whose first administrator
/// lia@acme.test (an Originator) is signed in on a page of her own and has
/// just opened a new box named `boxName`. `problems` collects what went
/// wrong on her page.
exports.liaInANewBox = async (root, coffer, browser, testInfo, boxName) => {
  await exports.setUpInstance(root, coffer);
  const invitation = await exports.createOrganisation(root, 'Acme', 10, 'lia@acme.test');
  const lia = await (await newPerson(browser, testInfo)).newPage();
  const problems = watchForProblems(lia);
  await exports.acceptInvitationAndSignIn(lia, invitation, 'lia@acme.test', exports.ADMIN_PW);
  await lia.getByRole('link', { name: 'Boxes' }).click();
  await lia.getByLabel('New box').fill(boxName);
  await lia.getByRole('button', { name: 'Create box' }).click();
  await lia.getByRole('link', { name: boxName }).click();
  return { lia, problems };
};

/// Headless Chromium has no save dialog to click: `showSaveFilePicker`
/// answers with a file of the origin-private file system, the same kind of
/// handle, written by the same worker code (or is closed, when the page
/// sets `window.declineSave`). Runs in the page.
function answerSaveDialogsInPage() {
  window.showSaveFilePicker = async ({ suggestedName }) => {
    if (window.declineSave) throw new DOMException('The user aborted a request.', 'AbortError');
    const root = await navigator.storage.getDirectory();
    return root.getFileHandle(suggestedName, { create: true });
  };
}
exports.answerSaveDialogsInPage = answerSaveDialogsInPage;
exports.answerSaveDialogs = (page) => page.evaluate(answerSaveDialogsInPage);

const SLICE = 64 * 1024 * 1024;
exports.SAVED_SLICE = SLICE;

/// Every file saved through those dialogs: name → { size, sha256 of each
/// 64 MiB slice } (read a slice at a time, so a large file fits). Runs in
/// the page.
async function savedFilesInPage(slice) {
  const hex = (b) => [...new Uint8Array(b)].map((x) => x.toString(16).padStart(2, '0')).join('');
  const out = {};
  const root = await navigator.storage.getDirectory();
  for await (const [name, handle] of root.entries()) {
    const file = await handle.getFile();
    const slices = [];
    for (let at = 0; at < file.size || at === 0; at += slice) {
      slices.push(hex(await crypto.subtle.digest('SHA-256', await file.slice(at, at + slice).arrayBuffer())));
    }
    out[name] = { size: file.size, slices };
  }
  return out;
}
exports.savedFilesInPage = savedFilesInPage;
exports.savedFiles = (page) => page.evaluate(savedFilesInPage, SLICE);

/// What `savedFiles` says of a file holding `bytes` (a Buffer or a path).
exports.asSaved = (bytes) => {
  const crypto = require('node:crypto');
  const fs = require('node:fs');
  const size = typeof bytes === 'string' ? fs.statSync(bytes).size : bytes.length;
  const fd = typeof bytes === 'string' ? fs.openSync(bytes, 'r') : null;
  const slices = [];
  for (let at = 0; at < size || at === 0; at += SLICE) {
    const piece = fd === null ? bytes.subarray(at, at + SLICE) : Buffer.alloc(Math.min(SLICE, size - at));
    if (fd !== null) fs.readSync(fd, piece, 0, piece.length, at);
    slices.push(crypto.createHash('sha256').update(piece).digest('hex'));
  }
  if (fd !== null) fs.closeSync(fd);
  return { size, slices };
};

/// Every byte the server wrote to its data folder: database, log, blobs.
function storedBytes(dir) {
  const fs = require('node:fs');
  const path = require('node:path');
  const all = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) all.push(storedBytes(full));
    else all.push(fs.readFileSync(full));
  }
  return Buffer.concat(all);
}

/// CRY-1: none of `secrets` (names, bodies) is anywhere the server wrote,
/// raw, as UTF-16, base64 or hex; the control (age's header in the
/// blobs) shows the search reads what is there.
exports.expectNeverStored = (dataDir, secrets) => {
  const stored = storedBytes(dataDir);
  expect(stored.includes('age-encryption.org/v1')).toBe(true);
  for (const secret of secrets) {
    expect(stored.includes(secret), secret).toBe(false);
    expect(stored.includes(Buffer.from(secret, 'utf16le')), secret).toBe(false);
    expect(stored.includes(Buffer.from(secret).toString('base64')), secret).toBe(false);
    expect(stored.includes(Buffer.from(secret).toString('hex')), secret).toBe(false);
  }
};
