//! Finishing a segment without the compressor: what the page does when it
//! is being closed and cannot wait for the worker.
//!
//! The worker sync-flushes an open segment every few kilobytes (see
//! [`crate::SegmentBuilder`]); its compressed bytes up to the last sync
//! point end on a byte boundary with nothing pending. The page keeps a copy
//! of them with the Adler-32 of the JSON before that point; on exit it
//! appends the batches after it as *stored* (uncompressed) deflate
//! blocks, a final stored block with the closing `]`, and the Adler-32
//! trailer. That is a valid zlib
//! stream (RFC 1950, RFC 1951 §3.2.4) made with a few byte copies, so it
//! fits in a `pagehide` handler.

/// The largest payload of one stored block.
const STORED_BLOCK_MAX: usize = 65_535;

/// Adler-32's modulus.
const ADLER_MOD: u32 = 65_521;

/// The Adler-32 of an empty input, where every running sum starts.
pub const ADLER32_START: u32 = 1;

/// Continues an Adler-32 (RFC 1950 §8) over `bytes`.
pub fn adler32_update(adler: u32, bytes: &[u8]) -> u32 {
    let mut low = adler & 0xffff;
    let mut high = adler >> 16;
    // 5552 is the longest run whose sums cannot overflow a u32.
    for chunk in bytes.chunks(5552) {
        for &byte in chunk {
            low += u32::from(byte);
            high += low;
        }
        low %= ADLER_MOD;
        high %= ADLER_MOD;
    }
    (high << 16) | low
}

/// Completes a sync-flushed zlib stream: `synced` (header and blocks so
/// far, ending on a byte boundary) whose input had checksum `adler`, then
/// `more` raw bytes and the closing `]`.
pub fn finish_synced(synced: &[u8], adler: u32, more: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(synced.len() + more.len() + 16);
    out.extend_from_slice(synced);
    write_stored(&mut out, more, false);
    write_stored(&mut out, b"]", true);
    let adler = adler32_update(adler32_update(adler, more), b"]");
    out.extend_from_slice(&adler.to_be_bytes());
    out
}

/// A whole zlib stream of `[`, `raw` and `]`, all stored.
pub fn stored_stream(raw: &[u8]) -> Vec<u8> {
    // CMF 0x78 (deflate, 32 KiB window), FLG 0x01: no dictionary, fastest
    // level, and 0x7801 is a multiple of 31 as the header check requires.
    let mut synced = vec![0x78, 0x01];
    write_stored(&mut synced, b"[", false);
    finish_synced(&synced, adler32_update(ADLER32_START, b"["), raw)
}

/// Writes `data` as stored blocks, the last one final when `last`. Stored
/// blocks start on a byte boundary, so their 3-bit header takes a byte.
fn write_stored(out: &mut Vec<u8>, data: &[u8], last: bool) {
    if data.is_empty() && !last {
        return;
    }
    let chunks: Vec<&[u8]> = if data.is_empty() {
        vec![data]
    } else {
        data.chunks(STORED_BLOCK_MAX).collect()
    };
    let count = chunks.len();
    for (position, chunk) in chunks.into_iter().enumerate() {
        let final_block = last && position + 1 == count;
        out.push(u8::from(final_block));
        let len = chunk.len() as u16;
        out.extend_from_slice(&len.to_le_bytes());
        out.extend_from_slice(&(!len).to_le_bytes());
        out.extend_from_slice(chunk);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{SegmentBuilder, SegmentLimits, ViewIds};
    use flate2::read::ZlibDecoder;
    use std::io::Read;
    use tapedeck_model::RecordsMeta;

    fn inflate(bytes: &[u8]) -> String {
        let mut text = String::new();
        // The decoder checks the Adler-32 trailer.
        ZlibDecoder::new(bytes).read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn adler32_matches_the_known_value() {
        // RFC 1950's example input and its well-known checksum.
        assert_eq!(adler32_update(ADLER32_START, b"Wikipedia"), 0x11E6_0398);
        let long = vec![0xffu8; 100_000];
        let split = adler32_update(adler32_update(ADLER32_START, &long[..7]), &long[7..]);
        assert_eq!(split, adler32_update(ADLER32_START, &long));
    }

    #[test]
    fn a_builders_synced_bytes_finish_into_a_valid_stream_with_more_events() {
        let ids = ViewIds {
            application_id: "a".into(),
            session_id: "s".into(),
            view_id: "v".into(),
        };
        let limits = SegmentLimits {
            duration_ms: 5_000,
            compressed_bytes: 60_000,
        };
        let meta = RecordsMeta {
            count: 1,
            start: 1.0,
            end: 1.0,
            has_full_snapshot: false,
        };
        let mut builder = SegmentBuilder::start(ids, 0, limits, 0.0, &meta, br#"{"n":1}"#).unwrap();
        builder.sync().unwrap();
        // Written after the sync point, so not in the synced part.
        builder.append(&meta, br#"{"n":2}"#).unwrap();
        let synced = builder.synced();
        assert_eq!(synced.records.count, 1);

        let finished = finish_synced(synced.bytes, synced.adler, br#",{"n":2}"#);
        assert_eq!(inflate(&finished), r#"[{"n":1},{"n":2}]"#);

        let nothing_more = finish_synced(synced.bytes, synced.adler, b"");
        assert_eq!(inflate(&nothing_more), r#"[{"n":1}]"#);
    }

    #[test]
    fn stored_stream_holds_any_length_of_events() {
        assert_eq!(inflate(&stored_stream(br#"{"a":1}"#)), r#"[{"a":1}]"#);
        let big = format!("{{\"s\":\"{}\"}}", "x".repeat(150_000));
        assert_eq!(inflate(&stored_stream(big.as_bytes())), format!("[{big}]"));
    }
}
