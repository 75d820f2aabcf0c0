// Reads the parts of a `multipart/form-data` body, enough to take apart
// tapedeck's upload request (wire contract: a `segment` part holding the
// zlib bytes and an `event` part holding the metadata JSON).

/** The boundary named in a `Content-Type` header, or an error. */
export function boundaryOf(contentType) {
  const match = /boundary=(?:"([^"]+)"|([^;]+))/i.exec(contentType || "");
  if (!match) {
    throw new Error(`not a multipart body: content-type is "${contentType}"`);
  }
  return match[1] || match[2];
}

/**
 * Splits `body` (a Buffer) into `{ name, headers, bytes }` parts. Bytes are
 * kept as a Buffer, untouched, because the segment part is binary.
 */
export function parseMultipart(body, contentType) {
  const delimiter = Buffer.from(`--${boundaryOf(contentType)}`);
  const parts = [];

  let cursor = body.indexOf(delimiter);
  if (cursor < 0) throw new Error("the multipart body has no boundary line");

  while (true) {
    const afterDelimiter = cursor + delimiter.length;
    if (body.subarray(afterDelimiter, afterDelimiter + 2).toString() === "--") {
      return parts;
    }

    const headersStart = afterDelimiter + 2; // skips CRLF
    const headersEnd = body.indexOf("\r\n\r\n", headersStart);
    const next = body.indexOf(delimiter, headersStart);
    if (headersEnd < 0 || next < 0) {
      throw new Error("the multipart body ends inside a part");
    }

    const headers = body.subarray(headersStart, headersEnd).toString("utf8");
    const name = /name="([^"]*)"/i.exec(headers);
    parts.push({
      name: name ? name[1] : "",
      headers,
      // The part ends with the CRLF that precedes the next delimiter.
      bytes: body.subarray(headersEnd + 4, next - 2),
    });
    cursor = next;
  }
}
