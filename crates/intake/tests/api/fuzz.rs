//! Bounded mutation fuzzing of the segment and metadata parsers, on stable
//! Rust: valid uploads are mutated (bit flips, truncation, splices, byte
//! insertions) and checked; every result must be a value, never a panic,
//! and anything accepted must agree with its metadata. Runs for
//! `TAPEDECK_FUZZ_SECONDS` (default 2); `scripts/fuzz.sh` runs it longer.

use std::time::{Duration, Instant};

use tapedeck_intake::ingest::{check_upload, parse_metadata, IngestLimits, UploadParts};

use crate::support::{events, fixture, Upload};

/// xorshift64*: deterministic per seed, so a failure can be replayed.
struct Random(u64);

impl Random {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, bound: usize) -> usize {
        (self.next() % bound.max(1) as u64) as usize
    }
}

fn mutate(random: &mut Random, bytes: &mut Vec<u8>, donor: &[u8]) {
    for _ in 0..=random.below(4) {
        match random.below(5) {
            0 if !bytes.is_empty() => {
                let at = random.below(bytes.len());
                bytes[at] ^= 1 << random.below(8);
            }
            1 => bytes.truncate(random.below(bytes.len() + 1)),
            2 => {
                let at = random.below(bytes.len() + 1);
                bytes.insert(at, random.next() as u8);
            }
            3 if !donor.is_empty() => {
                let start = random.below(donor.len());
                let end = start + random.below(donor.len() - start);
                let at = random.below(bytes.len() + 1);
                bytes.splice(at..at, donor[start..end].iter().copied());
            }
            _ => {
                let at = random.below(bytes.len() + 1);
                bytes.insert(at, b"{}[]\",:0e-"[random.below(10)]);
            }
        }
    }
}

#[test]
fn mutated_uploads_are_refused_or_accepted_but_never_panic() {
    let seconds = std::env::var("TAPEDECK_FUZZ_SECONDS")
        .ok()
        .and_then(|text| text.parse().ok())
        .unwrap_or(2);
    let seeds = [
        Upload::new("s", "v", 0, &fixture("first-segment.json")),
        Upload::new("s", "v", 1, &events(1000, 20)),
    ];
    let corpus: Vec<(Vec<u8>, Vec<u8>)> = seeds
        .iter()
        .map(|upload| (upload.parts[0].bytes.clone(), upload.parts[1].bytes.clone()))
        .collect();

    let deadline = Instant::now() + Duration::from_secs(seconds);
    let mut random = Random(0x7461_7065);
    let mut runs = 0u64;
    while Instant::now() < deadline {
        let (mut segment, mut metadata) = corpus[random.below(corpus.len())].clone();
        match random.below(3) {
            0 => mutate(&mut random, &mut segment, &corpus[0].0),
            1 => mutate(&mut random, &mut metadata, &corpus[0].1),
            _ => {
                mutate(&mut random, &mut segment, &corpus[1].0);
                mutate(&mut random, &mut metadata, &corpus[1].1);
            }
        }
        let _ = parse_metadata(&metadata);
        let parts = UploadParts {
            segment: segment.clone(),
            metadata,
        };
        if let Ok(checked) = check_upload(parts, IngestLimits::default(), |_| Ok(())) {
            assert_eq!(checked.compressed, segment);
            assert_eq!(
                checked.record.metadata.compressed_segment_size,
                segment.len() as u64
            );
        }
        runs += 1;
    }
    assert!(runs > 100, "only {runs} inputs in {seconds} s");
    println!("fuzzed {runs} inputs in {seconds} s");
}
