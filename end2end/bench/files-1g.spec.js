// BOX-1 transfer benchmark (docs/PERFORMANCE.md): a 1 GiB file uploaded
// from headless Chromium over loopback (chosen → "Uploaded") and downloaded
// again (click → written into the chosen file), each set beside Debian's `age` encrypting and
// decrypting the same file on the same disk in the same run; the peak
// memory of Chromium's renderer processes (the page and its worker) is
// sampled throughout. Run by scripts/bench-files.sh.
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test, expect } = require('../tests/fixtures');
const { liaInANewBox, answerSaveDialogs, savedFiles, asSaved } = require('../tests/steps');

const SIZE = Number(process.env.COFFER_BENCH_BYTES || 1024 * 1024 * 1024);
const mb = (n) => (n / 1024 / 1024).toFixed(0);

/// Resident memory of every Chromium renderer process, in bytes.
function rendererBytes() {
  let total = 0;
  for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const rss = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (rss) total += Number(rss[1]) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

function sampler() {
  let peak = 0;
  const timer = setInterval(() => { peak = Math.max(peak, rendererBytes()); }, 100);
  return () => { clearInterval(timer); return peak; };
}

function timed(fn) {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e9;
}

test('1 GiB upload and download against age', async ({ page: root, coffer, browser }, testInfo) => {
  test.skip(testInfo.project.name !== 'desktop', 'one profile: the figures are the machine\'s, not the viewport\'s');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-bench-'));
  const file = path.join(dir, 'big.bin');
  const fd = fs.openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024 * 1024);
  for (let written = 0; written < SIZE; written += chunk.length) {
    crypto.randomFillSync(chunk);
    fs.writeSync(fd, chunk, 0, Math.min(chunk.length, SIZE - written));
  }
  fs.closeSync(fd);

  // The reference, on the same disk in the same run.
  execFileSync('age-keygen', ['-o', path.join(dir, 'key.txt')], { stdio: 'ignore' });
  const recipient = execFileSync('age-keygen', ['-y', path.join(dir, 'key.txt')]).toString().trim();
  const ageEncrypt = timed(() => execFileSync('age', ['-r', recipient, '-o', path.join(dir, 'big.age'), file]));
  const ageDecrypt = timed(() => execFileSync('age', ['-d', '-i', path.join(dir, 'key.txt'), '-o', path.join(dir, 'back.bin'), path.join(dir, 'big.age')]));

  const { lia } = await liaInANewBox(root, coffer, browser, testInfo, 'Bench');
  await expect(lia.getByRole('heading', { name: 'Bench' })).toBeVisible();
  await answerSaveDialogs(lia);

  const idle = rendererBytes();
  let stop = sampler();
  let start = Date.now();
  await lia.getByLabel('Upload files').setInputFiles(file);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 1_800_000 });
  const upload = (Date.now() - start) / 1000;
  const uploadPeak = stop();

  stop = sampler();
  start = Date.now();
  // Over 64 MiB, so written into the chosen file as it is decrypted.
  await lia.getByRole('button', { name: 'Download big.bin' }).click();
  await expect(lia.getByRole('status')).toHaveText('“big.bin” downloaded.', { timeout: 1_800_000 });
  const downloadTime = (Date.now() - start) / 1000;
  const downloadPeak = stop();
  expect(await savedFiles(lia)).toEqual({ 'big.bin': asSaved(file) });

  const rate = (s) => (SIZE / 1024 / 1024 / s).toFixed(1);
  console.log(
    `files-1g: ${mb(SIZE)} MiB. age encrypt ${ageEncrypt.toFixed(1)} s (${rate(ageEncrypt)} MiB/s); ` +
    `upload ${upload.toFixed(1)} s (${rate(upload)} MiB/s) = ${((ageEncrypt / upload) * 100).toFixed(0)} % of age; ` +
    `age decrypt ${ageDecrypt.toFixed(1)} s (${rate(ageDecrypt)} MiB/s); ` +
    `download ${downloadTime.toFixed(1)} s (${rate(downloadTime)} MiB/s) = ${((ageDecrypt / downloadTime) * 100).toFixed(0)} % of age -d; ` +
    `renderer memory idle ${mb(idle)} MiB, peak ${mb(uploadPeak)} MiB uploading, ${mb(downloadPeak)} MiB downloading`,
  );
  fs.rmSync(dir, { recursive: true, force: true });
});
