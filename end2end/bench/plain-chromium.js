// A Chromium driven through the DevTools protocol over a pipe, with no
// more than the benchmarks need: navigate, evaluate, set a file input.
// Playwright enables the Network domain on every page and worker, and
// Chromium then copies each request body for DevTools: an 8 MiB part took
// 340-520 ms to PUT under Playwright and 10 ms without (measured with the
// same page, 2026-12-05). The transfer benchmark therefore times its
// upload and download in this plain Chromium, after Playwright has set the
// instance up.
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

class PlainChromium {
  static async launch() {
    const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'coffer-plain-'));
    const proc = spawn(
      process.env.CHROMIUM_PATH || '/usr/bin/chromium',
      ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync', '--remote-debugging-pipe', `--user-data-dir=${profile}`, 'about:blank'],
      // Its own process group, so closing ends every process it started.
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'], detached: true },
    );
    const chromium = new PlainChromium(proc, profile);
    const { targetInfos } = await chromium.send('Target.getTargets');
    const page = targetInfos.find((t) => t.type === 'page');
    const { sessionId } = await chromium.send('Target.attachToTarget', { targetId: page.targetId, flatten: true });
    chromium.session = sessionId;
    return chromium;
  }

  constructor(proc, profile) {
    this.proc = proc;
    this.profile = profile;
    this.next = 0;
    this.waiting = new Map();
    let buffered = '';
    proc.stdio[4].on('data', (chunk) => {
      buffered += chunk.toString();
      let end;
      while ((end = buffered.indexOf('\0')) >= 0) {
        const message = JSON.parse(buffered.slice(0, end));
        buffered = buffered.slice(end + 1);
        const answer = this.waiting.get(message.id);
        if (!answer) continue;
        this.waiting.delete(message.id);
        if (message.error) answer.reject(new Error(`${message.error.message}`));
        else answer.resolve(message.result);
      }
    });
  }

  send(method, params = {}, sessionId = undefined) {
    const id = ++this.next;
    this.proc.stdio[3].write(`${JSON.stringify({ id, method, params, sessionId })}\0`);
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  page(method, params) {
    return this.send(method, params, this.session);
  }

  /// The value of `fn(arg)` run in the page (awaited, JSON-able).
  async evaluate(fn, arg) {
    const { result, exceptionDetails } = await this.page('Runtime.evaluate', {
      expression: `(${fn.toString()})(${JSON.stringify(arg)})`,
      awaitPromise: true,
      returnByValue: true,
    });
    if (exceptionDetails) throw new Error(exceptionDetails.exception?.description || exceptionDetails.text);
    return result.value;
  }

  /// Waits until `fn(arg)` is true in the page, polling every `every` ms.
  async until(fn, arg, { timeout = 60_000, every = 100 } = {}) {
    const end = Date.now() + timeout;
    for (;;) {
      if (await this.evaluate(fn, arg).catch(() => false)) return;
      if (Date.now() > end) throw new Error(`not true within ${timeout} ms: ${fn}`);
      await new Promise((r) => setTimeout(r, every));
    }
  }

  /// Waits until an element matching `selector` has the words `text`.
  shows(selector, text, options) {
    return this.until(
      ([sel, t]) => [...document.querySelectorAll(sel)].some((e) => e.textContent.trim() === t),
      [selector, text],
      options,
    );
  }

  /// Follows the link whose words are `text`.
  follow(text) {
    return this.evaluate((t) => [...document.querySelectorAll('a')].find((a) => a.textContent.trim() === t).click(), text);
  }

  /// Loads `url` (a new document: its time origin differs).
  async reload() {
    const before = await this.evaluate(() => performance.timeOrigin);
    await this.page('Page.reload', {});
    await this.until((t) => performance.timeOrigin !== t && document.readyState === 'complete', before);
  }

  async goto(url) {
    const before = await this.evaluate(() => performance.timeOrigin);
    await this.page('Page.navigate', { url });
    await this.until((t) => performance.timeOrigin !== t && document.readyState === 'complete', before);
  }

  /// Types `value` into the input labelled `label`, as a person would
  /// (the app listens to `input` events).
  fill(label, value) {
    return this.evaluate(([l, v]) => {
      const tag = [...document.querySelectorAll('label')].find((e) => e.textContent.trim() === l);
      const input = document.getElementById(tag.htmlFor);
      Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set.call(input, v);
      input.dispatchEvent(new Event('input', { bubbles: true }));
    }, [label, value]);
  }

  /// Clicks the button whose words or accessible label are `name`.
  click(name) {
    return this.evaluate((n) => {
      const button = [...document.querySelectorAll('button')]
        .find((b) => b.textContent.trim() === n || b.getAttribute('aria-label') === n);
      button.click();
    }, name);
  }

  /// Chooses `files` (a path or several) in the file input labelled
  /// `label`.
  async choose(label, files) {
    const { result } = await this.page('Runtime.evaluate', {
      expression: `document.getElementById([...document.querySelectorAll('label')].find((e) => e.textContent.trim() === ${JSON.stringify(label)}).htmlFor)`,
    });
    await this.page('DOM.setFileInputFiles', { files: [].concat(files), objectId: result.objectId });
  }

  /// The process ids of this Chromium and everything it started.
  processes() {
    const parent = new Map();
    for (const pid of fs.readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        parent.set(Number(pid), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
      } catch {
        // Ended while we looked.
      }
    }
    const ours = new Set([this.proc.pid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, ppid] of parent) {
        if (!ours.has(pid) && ours.has(ppid)) {
          ours.add(pid);
          grew = true;
        }
      }
    }
    return [...ours];
  }

  async close() {
    const ended = new Promise((resolve) => this.proc.once('exit', resolve));
    process.kill(-this.proc.pid, 'SIGKILL');
    await ended;
    fs.rmSync(this.profile, { recursive: true, force: true, maxRetries: 20, retryDelay: 100 });
  }
}

/// Signs `email` in at the instance `url` in a plain Chromium and opens
/// `page` (a box's address, say).
async function signedIn(url, email, password, page) {
  const plain = await PlainChromium.launch();
  await plain.goto(url);
  // The form is whole once its button is there (the labels come first).
  await plain.until(() => [...document.querySelectorAll('button')].some((b) => b.textContent.trim() === 'Sign in'));
  await plain.fill('Email or user name', email);
  await plain.fill('Password', password);
  await plain.click('Sign in');
  await plain.shows('a', 'Boxes', { timeout: 30_000 });
  await plain.goto(page);
  return plain;
}

/// Lia in a new box "Bench", set up through Playwright (tests/steps.js),
/// then signed in again in a plain Chromium on the box's page; Playwright's
/// page is closed.
async function liaInABenchBox(root, coffer, browser, testInfo, { before } = {}) {
  const { ADMIN_PW, liaInANewBox } = require('../tests/steps');
  const { lia } = await liaInANewBox(root, coffer, browser, testInfo, 'Bench');
  await lia.getByRole('heading', { name: 'Bench' }).waitFor();
  const box = lia.url();
  // What else a benchmark needs set up through Playwright first.
  if (before) await before(lia);
  await lia.context().close();
  const plain = await signedIn(coffer.url, 'lia@acme.test', ADMIN_PW, box);
  await plain.shows('h1', 'Bench');
  return { plain, box };
}

module.exports = { PlainChromium, liaInABenchBox, signedIn };
