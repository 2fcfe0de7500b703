// Loads the app's wasm-bindgen module. Kept out of index.html because the
// Content-Security-Policy allows no inline scripts.
const tag = document.querySelector('script[data-coffer-js]');
const { default: init } = await import(tag.dataset.cofferJs);
await init({ module_or_path: tag.dataset.cofferWasm });
