// Times each entry point three times and prints the last (V8 compiles
// WebAssembly with its baseline compiler first and optimises it while it
// runs, so the first round is slower).
const wasm = require(process.argv[2]);
const MIB = 64;
const rate = (fn) => {
  const start = performance.now();
  fn();
  return MIB / ((performance.now() - start) / 1000);
};
let last;
for (let round = 0; round < 3; round += 1) {
  const upload = new wasm.Upload(MIB);
  last = {
    sha256: rate(() => wasm.sha256_only(MIB)),
    chacha20poly1305: rate(() => wasm.chacha_only(MIB)),
    'FileWriter (upload)': rate(() => upload.write()),
    'FileReader (download)': rate(() => upload.read()),
  };
}
console.log(`wasm in Node ${process.version}: ${Object.entries(last).map(([k, v]) => `${k} ${v.toFixed(0)} MiB/s`).join(', ')}`);
