//! How fast `FileWriter` and `FileReader` run natively on this machine
//! (the worker runs the same code as WebAssembly): 256 MiB through each.
//! `cargo run --release -p coffer-crypto --example file_throughput`
use std::time::Instant;

use coffer_crypto::{sha256, FileReader, FileWriter, Manifest, NodeKey, SigningKeys};

fn main() {
    let size = 256 * 1024 * 1024usize;
    let plain: Vec<u8> = (0..size).map(|i| (i % 251) as u8).collect();
    let key = NodeKey::generate();
    let signer = SigningKeys::generate();
    let start = Instant::now();
    let mut writer = FileWriter::new("f", &key.public_key()).unwrap();
    let header = writer.header().to_vec();
    let mut parts = Vec::new();
    for slice in plain.chunks(4 << 20) {
        parts.extend(writer.push(slice));
    }
    let done = writer.finish(&signer);
    parts.extend(done.parts);
    let up = start.elapsed().as_secs_f64();
    let manifest = Manifest {
        file_id: "f".into(),
        plain_size: size as u64,
        header_sha256: sha256(&header),
        part_sha256: parts.iter().map(|p| p.sha256).collect(),
    };
    let start = Instant::now();
    let mut reader = FileReader::new(
        &key,
        manifest,
        &header,
        &signer.public_key_hex(),
        &done.signature,
    )
    .unwrap();
    let mut back = 0;
    for p in &parts {
        back += reader.part(&p.bytes).unwrap().len();
    }
    let down = start.elapsed().as_secs_f64();
    assert_eq!(back, size);
    let mib = size as f64 / 1024.0 / 1024.0;
    println!(
        "encrypt+cut+hash {:.0} MiB/s, check+decrypt {:.0} MiB/s",
        mib / up,
        mib / down
    );
}
