// BOX-1 transfer benchmark (docs/PERFORMANCE.md): a 1 GiB file uploaded
// from headless Chromium over loopback (chosen → "Uploaded") and downloaded
// again (click → written into the chosen file), each set beside Debian's
// `age` encrypting and decrypting the same file on the same disk in the
// same run; the peak memory of that Chromium's renderer processes (the page
// and its worker) is sampled throughout, and the CPU time the server
// spent on each. Playwright sets the instance up;
// the transfers run in a plain Chromium (bench/plain-chromium.js says why).
// Run by scripts/bench-files.sh.
const { execFileSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { test, expect } = require('../tests/fixtures');
const { answerSaveDialogsInPage, savedFilesInPage, SAVED_SLICE, asSaved } = require('../tests/steps');
const { liaInABenchBox } = require('./plain-chromium');

const SIZE = Number(process.env.COFFER_BENCH_BYTES || 1024 * 1024 * 1024);
const mb = (n) => (n / 1024 / 1024).toFixed(0);

/// Memory of the renderer processes among `pids`, in bytes: resident
/// (RSS, which counts pages they share, such as V8's and Chromium's code,
/// once per process) and proportional (PSS, each shared page split among
/// the processes that map it, so the sum is what they take together).
function rendererBytes(pids) {
  const total = { rss: 0, pss: 0 };
  for (const pid of pids) {
    try {
      const cmd = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmd.includes('--type=renderer')) continue;
      const rollup = fs.readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8');
      total.rss += Number(/^Rss:\s+(\d+) kB/m.exec(rollup)[1]) * 1024;
      total.pss += Number(/^Pss:\s+(\d+) kB/m.exec(rollup)[1]) * 1024;
    } catch {
      // The process ended while we looked.
    }
  }
  return total;
}

function sampler(chromium) {
  const peak = { rss: 0, pss: 0 };
  const timer = setInterval(() => {
    const now = rendererBytes(chromium.processes());
    peak.rss = Math.max(peak.rss, now.rss);
    peak.pss = Math.max(peak.pss, now.pss);
  }, 100);
  return () => { clearInterval(timer); return peak; };
}

/// CPU seconds the process `pid` has used (user and system).
function cpuSeconds(pid) {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in ticks of 10 ms
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

  // Lia in a Chromium that Playwright does not watch.
  const { plain } = await liaInABenchBox(root, coffer, browser, testInfo);
  try {
    await plain.evaluate(answerSaveDialogsInPage);
    await new Promise((r) => setTimeout(r, 1000));

    const idle = rendererBytes(plain.processes());
    let stop = sampler(plain);
    let serverCpu = cpuSeconds(coffer.pid);
    let start = Date.now();
    await plain.choose('Upload files', file);
    await plain.shows('.upload-status', 'Uploaded', { timeout: 1_800_000, every: 50 });
    const upload = (Date.now() - start) / 1000;
    const uploadPeak = stop();
    const serverUp = cpuSeconds(coffer.pid) - serverCpu;

    // Over 64 MiB, so written into the chosen file as it is decrypted.
    stop = sampler(plain);
    serverCpu = cpuSeconds(coffer.pid);
    start = Date.now();
    await plain.click('Download big.bin');
    await plain.shows('[role=status]', '“big.bin” downloaded.', { timeout: 1_800_000, every: 50 });
    const downloadTime = (Date.now() - start) / 1000;
    const downloadPeak = stop();
    const serverDown = cpuSeconds(coffer.pid) - serverCpu;
    expect(await plain.evaluate(savedFilesInPage, SAVED_SLICE)).toEqual({ 'big.bin': asSaved(file) });

    // As in Firefox and Safari (no save dialog): streamed through the
    // download service worker into the browser's downloads. Done when
    // Chromium has moved the whole file into place.
    const downloads = path.join(dir, 'downloads');
    fs.mkdirSync(downloads);
    await plain.send('Browser.setDownloadBehavior', { behavior: 'allow', downloadPath: downloads });
    await plain.evaluate(() => { window.showSaveFilePicker = undefined; });
    const streamedFile = path.join(downloads, 'big.bin');
    stop = sampler(plain);
    start = Date.now();
    await plain.click('Download big.bin');
    while (!(fs.existsSync(streamedFile) && fs.statSync(streamedFile).size === SIZE)) {
      await new Promise((r) => setTimeout(r, 50));
    }
    const streamedTime = (Date.now() - start) / 1000;
    const streamedPeak = stop();
    expect(asSaved(streamedFile)).toEqual(asSaved(file));

    const rate = (s) => (SIZE / 1024 / 1024 / s).toFixed(1);
    console.log(
      `files-1g: ${mb(SIZE)} MiB. age encrypt ${ageEncrypt.toFixed(1)} s (${rate(ageEncrypt)} MiB/s); ` +
      `upload ${upload.toFixed(1)} s (${rate(upload)} MiB/s) = ${((ageEncrypt / upload) * 100).toFixed(0)} % of age; ` +
      `age decrypt ${ageDecrypt.toFixed(1)} s (${rate(ageDecrypt)} MiB/s); ` +
      `download ${downloadTime.toFixed(1)} s (${rate(downloadTime)} MiB/s) = ${((ageDecrypt / downloadTime) * 100).toFixed(0)} % of age -d; ` +
      `through the service worker ${streamedTime.toFixed(1)} s (${rate(streamedTime)} MiB/s); ` +
      `renderer memory (PSS) idle ${mb(idle.pss)} MiB, peak ${mb(uploadPeak.pss)} MiB uploading, ${mb(downloadPeak.pss)} MiB downloading, ` +
      `${mb(streamedPeak.pss)} MiB through the service worker; ` +
      `(RSS) idle ${mb(idle.rss)} MiB, peak ${mb(uploadPeak.rss)} / ${mb(downloadPeak.rss)} MiB; ` +
      `server CPU ${serverUp.toFixed(2)} s uploading = ${((serverUp / (SIZE / 1e8)) * 100).toFixed(1)} % of a core per 100 MB/s, ` +
      `${serverDown.toFixed(2)} s downloading = ${((serverDown / (SIZE / 1e8)) * 100).toFixed(1)} % of a core per 100 MB/s`,
    );
  } finally {
    await plain.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
