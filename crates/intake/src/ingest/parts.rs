//! Reading the two parts of an upload out of its multipart body.

use axum::extract::multipart::{Field, MultipartError};
use axum::extract::Multipart;
use axum::http::StatusCode;

use crate::error::IntakeError;

const SEGMENT_PART: &str = "segment";
const SEGMENT_CONTENT_TYPE: &str = "application/octet-stream";
const METADATA_PART: &str = "event";
const METADATA_CONTENT_TYPE: &str = "application/json";

/// The raw contents of an upload's parts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UploadParts {
    /// The `segment` part: the zlib stream.
    pub segment: Vec<u8>,
    /// The `event` part: the metadata JSON.
    pub metadata: Vec<u8>,
}

/// Reads the `segment` and `event` parts, checking their content types.
///
/// Parts with other names are skipped, so a newer client may add parts
/// without being refused. The body size limit is enforced while reading:
/// passing it ends the read with [`IntakeError::BodyTooLarge`].
pub async fn read_upload_parts(
    mut multipart: Multipart,
    max_body_bytes: usize,
) -> Result<UploadParts, IntakeError> {
    let mut segment = None;
    let mut metadata = None;

    while let Some(field) = multipart
        .next_field()
        .await
        .map_err(|e| multipart_error(e, max_body_bytes))?
    {
        let (part, expected, slot) = match field.name() {
            Some(SEGMENT_PART) => (SEGMENT_PART, SEGMENT_CONTENT_TYPE, &mut segment),
            Some(METADATA_PART) => (METADATA_PART, METADATA_CONTENT_TYPE, &mut metadata),
            other => {
                tracing::debug!(part = ?other, "skipping an unknown part");
                continue;
            }
        };
        if slot.is_some() {
            return Err(IntakeError::DuplicatePart(part));
        }
        check_content_type(&field, part, expected)?;
        let bytes = field
            .bytes()
            .await
            .map_err(|e| multipart_error(e, max_body_bytes))?;
        *slot = Some(bytes.to_vec());
    }

    Ok(UploadParts {
        segment: segment.ok_or(IntakeError::MissingPart(SEGMENT_PART))?,
        metadata: metadata.ok_or(IntakeError::MissingPart(METADATA_PART))?,
    })
}

/// Accepts the expected type with parameters (`application/json;
/// charset=utf-8`) and in any letter case, as media types are compared.
fn check_content_type(
    field: &Field<'_>,
    part: &'static str,
    expected: &'static str,
) -> Result<(), IntakeError> {
    let found = field.content_type().unwrap_or("none");
    let essence = found.split(';').next().unwrap_or_default().trim();
    if essence.eq_ignore_ascii_case(expected) {
        Ok(())
    } else {
        Err(IntakeError::WrongContentType {
            part,
            expected,
            found: found.to_owned(),
        })
    }
}

fn multipart_error(error: MultipartError, max_body_bytes: usize) -> IntakeError {
    if error.status() == StatusCode::PAYLOAD_TOO_LARGE {
        IntakeError::BodyTooLarge {
            limit_bytes: max_body_bytes,
        }
    } else {
        IntakeError::MalformedMultipart(error.body_text())
    }
}
