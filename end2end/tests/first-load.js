// What a first visit downloads and when its sign-in form is drawn: shared
// by the PLT-4 test (byte limits) and the first-load benchmark (times).

/// Every response the page and its workers receive, with its size on the
/// wire (compressed body and headers) and when it was asked for;
/// `snapshot(before)` sums those asked for before a time (all by default).
function countBytes(context) {
  const finished = [];
  context.on('requestfinished', (r) => {
    finished.push(r.sizes().then((s) => ({
      url: r.url(), started: r.timing().startTime, bytes: s.responseBodySize + s.responseHeadersSize,
    })));
  });
  return async (before = Infinity) => {
    const seen = (await Promise.all(finished.slice())).filter((r) => r.started < before);
    return { total: seen.reduce((n, r) => n + r.bytes, 0), urls: seen.map((r) => r.url) };
  };
}

/// Notes in the page when the sign-in form is drawn (the app's code is then
/// running: Leptos draws elements with their handlers).
function markFormDrawn() {
  const mark = () => {
    if (!window.cofferFormAt && document.querySelector('#identifier') && document.querySelector('#password')) {
      window.cofferFormAt = Date.now();
    }
  };
  new MutationObserver(mark).observe(document, { subtree: true, childList: true });
}

module.exports = { countBytes, markFormDrawn };
