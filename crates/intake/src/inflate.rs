//! Bounded inflation of one zlib stream.
//!
//! A segment must be exactly one complete zlib stream (RFC 1950): the
//! header, the deflate data and the Adler-32 checksum, with nothing after
//! it. Inflation stops as soon as the output passes a limit, so a small
//! upload that would expand to gigabytes (a decompression bomb) is refused
//! after a bounded amount of work and memory.

use flate2::{Decompress, FlushDecompress, Status};

/// Limits on what one segment may inflate to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InflateLimits {
    /// The most bytes the stream may inflate to.
    pub max_inflated_bytes: usize,
    /// The highest inflated/compressed ratio allowed once the output is
    /// larger than [`InflateLimits::ratio_floor_bytes`].
    pub max_ratio: usize,
    /// Output up to this size is never refused for its ratio: tiny
    /// segments of repetitive events compress extremely well.
    pub ratio_floor_bytes: usize,
}

impl Default for InflateLimits {
    /// 16 MiB at most, and at most 250 times the compressed size past
    /// 1 MiB. Recorded JSON compresses around 5 to 30 times; deflate's own
    /// ceiling is about 1032 times, which only crafted input reaches.
    fn default() -> Self {
        Self {
            max_inflated_bytes: 16 * 1024 * 1024,
            max_ratio: 250,
            ratio_floor_bytes: 1024 * 1024,
        }
    }
}

/// Why a zlib stream was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InflateError {
    /// The bytes are not a valid zlib stream (bad header, bad deflate data
    /// or a wrong checksum).
    #[error("is not a valid zlib stream: {0}")]
    Corrupt(String),
    /// The stream ended before its final block and checksum.
    #[error("zlib stream is truncated")]
    Truncated,
    /// Bytes follow the end of the stream.
    #[error("has {0} bytes after the end of the zlib stream")]
    TrailingBytes(usize),
    /// The stream inflates past a limit.
    #[error("inflates to more than {limit_bytes} bytes")]
    TooLarge {
        /// The limit that was passed, in bytes.
        limit_bytes: usize,
    },
}

impl InflateError {
    /// True for the size limits, which answer 413 rather than 400.
    pub fn is_too_large(&self) -> bool {
        matches!(self, Self::TooLarge { .. })
    }

    /// The name it is counted under.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Corrupt(_) => "corrupt_zlib",
            Self::Truncated => "truncated_zlib",
            Self::TrailingBytes(_) => "trailing_bytes",
            Self::TooLarge { .. } => "inflated_too_large",
        }
    }
}

/// Inflates `compressed`, which must be one complete zlib stream and
/// nothing else, within `limits`.
pub fn inflate_segment(compressed: &[u8], limits: InflateLimits) -> Result<Vec<u8>, InflateError> {
    let ratio_limit = compressed.len().saturating_mul(limits.max_ratio);
    let limit_bytes = limits
        .max_inflated_bytes
        .min(ratio_limit.max(limits.ratio_floor_bytes));

    let mut decoder = Decompress::new(true);
    let mut output = Vec::with_capacity(compressed.len().saturating_mul(8).min(limit_bytes + 1));
    loop {
        // Room for one byte more than allowed, so passing the limit is
        // noticed without inflating further.
        if output.len() == output.capacity() {
            let wanted = (output.capacity() * 2).max(64 * 1024).min(limit_bytes + 1);
            output.reserve_exact(wanted.saturating_sub(output.len()).max(1));
        }

        let consumed = input_consumed(&decoder);
        let produced = output.len();
        let status = decoder
            .decompress_vec(&compressed[consumed..], &mut output, FlushDecompress::None)
            .map_err(|error| InflateError::Corrupt(error.to_string()))?;

        if output.len() > limit_bytes {
            return Err(InflateError::TooLarge { limit_bytes });
        }
        if status == Status::StreamEnd {
            break;
        }
        // With room in the output, the decoder stops making progress only
        // when it needs input that is not there.
        let stalled = input_consumed(&decoder) == consumed && output.len() == produced;
        if stalled {
            return Err(InflateError::Truncated);
        }
    }

    match compressed.len() - input_consumed(&decoder) {
        0 => Ok(output),
        trailing => Err(InflateError::TrailingBytes(trailing)),
    }
}

/// How many input bytes the decoder has used; never more than it was
/// given, so it is a valid index into the input.
fn input_consumed(decoder: &Decompress) -> usize {
    usize::try_from(decoder.total_in()).expect("the decoder never consumes more than a slice holds")
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::write::ZlibEncoder;
    use flate2::Compression;

    use super::*;

    fn zlib(data: &[u8]) -> Vec<u8> {
        let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
        encoder.write_all(data).unwrap();
        encoder.finish().unwrap()
    }

    #[test]
    fn inflates_a_complete_stream() {
        let data = br#"[{"type":4,"data":{},"timestamp":1}]"#;
        assert_eq!(
            inflate_segment(&zlib(data), InflateLimits::default()).unwrap(),
            data
        );
    }

    #[test]
    fn inflates_an_empty_payload() {
        assert_eq!(
            inflate_segment(&zlib(b""), InflateLimits::default()).unwrap(),
            b""
        );
    }

    #[test]
    fn refuses_a_stream_cut_anywhere() {
        let data: Vec<u8> = (0..20_000u32).flat_map(|n| n.to_le_bytes()).collect();
        let whole = zlib(&data);
        for cut in [0, 1, 2, whole.len() / 2, whole.len() - 4, whole.len() - 1] {
            let error = inflate_segment(&whole[..cut], InflateLimits::default()).unwrap_err();
            assert!(
                matches!(error, InflateError::Truncated | InflateError::Corrupt(_)),
                "cut at {cut}: {error:?}"
            );
        }
        assert_eq!(
            inflate_segment(&whole[..whole.len() - 1], InflateLimits::default()),
            Err(InflateError::Truncated)
        );
    }

    #[test]
    fn refuses_bytes_after_the_stream() {
        let mut bytes = zlib(b"[]");
        bytes.extend_from_slice(b"junk");
        assert_eq!(
            inflate_segment(&bytes, InflateLimits::default()),
            Err(InflateError::TrailingBytes(4))
        );
    }

    #[test]
    fn refuses_a_wrong_checksum() {
        let mut bytes = zlib(b"[1,2,3]");
        let last = bytes.len() - 1;
        bytes[last] ^= 0xff;
        assert!(matches!(
            inflate_segment(&bytes, InflateLimits::default()),
            Err(InflateError::Corrupt(_))
        ));
    }

    #[test]
    fn refuses_raw_deflate_without_a_zlib_header() {
        assert!(matches!(
            inflate_segment(b"not zlib at all", InflateLimits::default()),
            Err(InflateError::Corrupt(_))
        ));
    }

    #[test]
    fn stops_a_bomb_at_the_absolute_limit() {
        let bomb = zlib(&vec![b' '; 20 * 1024 * 1024]);
        let error = inflate_segment(&bomb, InflateLimits::default()).unwrap_err();
        assert!(error.is_too_large(), "{error:?}");
    }

    #[test]
    fn stops_a_small_bomb_at_the_ratio_limit() {
        let limits = InflateLimits {
            max_ratio: 10,
            ratio_floor_bytes: 1000,
            ..Default::default()
        };
        let bomb = zlib(&vec![b'a'; 100_000]);
        assert_eq!(
            inflate_segment(&bomb, limits),
            Err(InflateError::TooLarge {
                limit_bytes: (bomb.len() * 10).max(1000)
            })
        );
    }

    #[test]
    fn lets_small_repetitive_segments_through_under_the_ratio_floor() {
        let data = vec![b'a'; 500_000];
        assert_eq!(
            inflate_segment(&zlib(&data), InflateLimits::default()).unwrap(),
            data
        );
    }
}
