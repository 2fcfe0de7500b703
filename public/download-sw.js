// Coffer's download service worker (DESIGN "Moving bytes"). In a browser
// without a save dialog for the page (`showSaveFilePicker`: Firefox,
// Safari), a large download or export goes to the browser's downloads as a
// stream instead of one Blob held in memory. The crypto worker checks and
// decrypts each part and posts its bytes here through a MessagePort; this
// answers the page's download link with a Response whose body is that
// stream. It holds no key and sees only bytes that already passed every
// check; a file that fails one is aborted, and the browser discards it.
//
// The port carries, from the crypto worker: an ArrayBuffer per piece,
// 'end', or 'abort'; to it: 'more' each time the browser's downloads want
// another piece (so at most a piece or two wait here), and 'cancelled'
// when the person cancels the download.
const waiting = new Map();

self.addEventListener('install', () => self.skipWaiting());
self.addEventListener('activate', (event) => event.waitUntil(self.clients.claim()));

self.addEventListener('message', (event) => {
  const { id, name, size, port, ready } = event.data || {};
  // Anything else is the page's ping, which only keeps this worker awake
  // while a download runs.
  if (typeof id !== 'string' || !(port instanceof MessagePort)) return;
  const stream = new ReadableStream({
    start(controller) {
      port.onmessage = ({ data }) => {
        try {
          if (data === 'end') controller.close();
          else if (data === 'abort') controller.error(new Error('This file was changed outside Coffer'));
          else controller.enqueue(new Uint8Array(data));
        } catch {
          // The person cancelled the download: what still arrives is dropped.
        }
      };
    },
    pull() {
      port.postMessage('more');
    },
    cancel() {
      port.postMessage('cancelled');
    },
  });
  waiting.set(id, { stream, name, size });
  if (ready instanceof MessagePort) ready.postMessage('ready');
});

self.addEventListener('fetch', (event) => {
  const found = /\/public\/download\/([0-9a-f]{32})$/.exec(new URL(event.request.url).pathname);
  const download = found && waiting.get(found[1]);
  if (!download) return;
  waiting.delete(found[1]);
  const headers = {
    'Content-Type': 'application/octet-stream',
    'Content-Disposition': `attachment; filename*=UTF-8''${encodeURIComponent(download.name)}`,
  };
  if (typeof download.size === 'number') headers['Content-Length'] = String(download.size);
  event.respondWith(new Response(download.stream, { headers }));
});
