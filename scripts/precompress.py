#!/usr/bin/env python3
"""Writes brotli (.br) and gzip (.gz) copies of the built browser app's text
and wasm files, which the server sends to browsers that accept them
(tower-http's precompressed ServeDir). Usage: precompress.py DIST_DIR"""
import gzip
import pathlib
import sys

import brotli

SUFFIXES = {".wasm", ".js", ".css", ".html", ".svg"}

root = pathlib.Path(sys.argv[1])
for path in sorted(root.rglob("*")):
    if not path.is_file() or path.suffix not in SUFFIXES:
        continue
    data = path.read_bytes()
    path.with_name(path.name + ".br").write_bytes(brotli.compress(data, quality=11))
    path.with_name(path.name + ".gz").write_bytes(gzip.compress(data, compresslevel=9, mtime=0))
