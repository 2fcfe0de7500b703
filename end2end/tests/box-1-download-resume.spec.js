// BOX-1: a download whose connection drops in the middle of a part goes on
// from the byte where it stopped (`Range`), keeps what had arrived, and
// saves the file intact. The drop is real: the part's answer passes through
// a proxy on loopback that closes the connection after 3 MiB of it.
const fs = require('node:fs');
const http = require('node:http');
const { test, expect } = require('./fixtures');
const { liaInANewBox } = require('./steps');

const MiB = 1024 * 1024;

/// Forwards every request to `target`; the first answer for a path ending
/// in `/part/0` is cut after `cutAfter` bytes of its body. `served` records
/// each part answer's status and the bytes of body it carried.
function cuttingProxy(target, cutAfter) {
  const served = [];
  let cut = false;
  const server = http.createServer((req, res) => {
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      const part = req.url.split('/').pop();
      const entry = { part, status: answer.statusCode, bytes: 0 };
      served.push(entry);
      res.writeHead(answer.statusCode, answer.headers);
      const cutThis = part === '0' && !cut;
      if (cutThis) cut = true;
      answer.on('data', (chunk) => {
        if (cutThis && entry.bytes + chunk.length > cutAfter) {
          res.write(chunk.subarray(0, cutAfter - entry.bytes));
          entry.bytes = cutAfter;
          res.socket.destroy();
          answer.destroy();
          return;
        }
        entry.bytes += chunk.length;
        res.write(chunk);
      });
      answer.on('end', () => res.end());
    });
    req.pipe(upstream);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => resolve({ server, served, url: `http://localhost:${server.address().port}` }));
  });
}

test('BOX-1: a download that drops mid-part goes on from where it stopped', async ({ page: root, coffer, browser }, testInfo) => {
  test.setTimeout(120_000);
  const { lia, problems } = await liaInANewBox(root, coffer, browser, testInfo, 'Deals');
  const big = Buffer.alloc(9 * MiB);
  for (let i = 0; i < big.length; i += 1024) big[i] = (i / 1024) % 251;
  await lia.getByLabel('Upload files').setInputFiles([{ name: 'archive.bin', mimeType: 'application/octet-stream', buffer: big }]);
  await expect(lia.getByRole('region', { name: 'Uploads' }).getByText('Uploaded')).toHaveCount(1, { timeout: 60_000 });

  // The page's host (its session cookie is for it), another port.
  const proxy = await cuttingProxy(coffer.url.replace(/\/$/, ''), 3 * MiB);
  const asked = [];
  await lia.route('**/file/**/part/*', (route) => {
    const url = new URL(route.request().url());
    asked.push({ part: url.pathname.split('/').pop(), range: route.request().headers().range });
    return route.continue({ url: `${proxy.url}${url.pathname}` });
  });
  try {
    const [download] = await Promise.all([
      lia.waitForEvent('download'),
      lia.getByRole('button', { name: 'Download archive.bin' }).click(),
    ]);
    expect(fs.readFileSync(await download.path()).equals(big)).toBe(true);
  } finally {
    proxy.server.close();
  }

  // Part 0 was asked for twice: whole, then from the first byte that had
  // not arrived, which the server answered with the rest only.
  const zero = asked.filter((a) => a.part === '0');
  expect(zero).toHaveLength(2);
  expect(zero[0].range).toBeUndefined();
  const from = Number(/^bytes=(\d+)-$/.exec(zero[1].range)[1]);
  expect(from).toBeGreaterThan(0);
  expect(from).toBeLessThanOrEqual(3 * MiB);
  const second = proxy.served.filter((s) => s.part === '0')[1];
  expect(second.status).toBe(206);
  const partBytes = 128 * (64 * 1024 + 16);
  expect(second.bytes).toBe(partBytes - from);
  expect(asked.filter((a) => a.part === '1').map((a) => a.range)).toEqual([undefined]);
  expect(problems).toEqual([]);
});
