# Shared by serve.sh and test.sh: install what is missing, skip what is there.
# Nothing here downloads anything except through crates.io, npm, Debian's apt
# and `rustup target add`.

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/coffer/target}"
export PATH="$HOME/.cargo/bin:$PATH"
TRUNK_VERSION=0.21.14
# wasm-bindgen-cli must match the wasm-bindgen crate Cargo.lock pins.
WASM_BINDGEN_VERSION=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/"/, "", $3); print $3; exit }' Cargo.lock)

say() { printf '\n==> %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi
}

apt_ensure() {
  local missing=()
  for pkg in "$@"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
  done
  if [ ${#missing[@]} -gt 0 ]; then
    say "Installing Debian packages: ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
}

ensure_browser_toolchain() {
  if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
    say "Adding the wasm32 target"
    rustup target add wasm32-unknown-unknown
  fi
  if ! trunk --version 2>/dev/null | grep -q " $TRUNK_VERSION"; then
    say "Installing trunk $TRUNK_VERSION (takes ~12 minutes once)"
    cargo install trunk --version "$TRUNK_VERSION" --locked
  fi
  if ! wasm-bindgen --version 2>/dev/null | grep -q " $WASM_BINDGEN_VERSION"; then
    say "Installing wasm-bindgen-cli $WASM_BINDGEN_VERSION (takes ~5 minutes once)"
    cargo install wasm-bindgen-cli --version "$WASM_BINDGEN_VERSION" --locked
  fi
}

# wasm-opt from npm's binaryen (Debian's 108 produces broken wasm) and
# Python's brotli for the precompressed copies of the built files.
ensure_build_tools() {
  if [ ! -x tools/node_modules/.bin/wasm-opt ]; then
    say "Installing wasm-opt (npm's binaryen, tools/package.json)"
    (cd tools && npm ci --no-audit --no-fund)
  fi
  if ! python3 -c 'import brotli' 2>/dev/null; then
    say "Installing Python's brotli (precompressed browser files)"
    python3 -m pip install --quiet brotli
  fi
}

# The full app (and the crypto worker) into dist/, then the front door (the
# pages before sign-in) into dist/front/, then .br and .gz copies of both.
build_browser_app() {
  ensure_build_tools
  export PATH="$PWD/tools/node_modules/.bin:$PATH"
  say "Building the browser app (trunk build --release)"
  trunk build --release
  say "Building the front door (trunk build app/front.html)"
  trunk build app/front.html --release --dist dist/front --public-url /front/
  python3 scripts/precompress.py dist
}
