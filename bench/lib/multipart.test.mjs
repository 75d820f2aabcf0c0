import assert from "node:assert/strict";
import { test } from "node:test";

import { boundaryOf, parseMultipart } from "./multipart.mjs";

function body(boundary, parts) {
  const chunks = [];
  for (const { name, type, bytes } of parts) {
    chunks.push(
      Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n` +
          `Content-Type: ${type}\r\n\r\n`,
      ),
      bytes,
      Buffer.from("\r\n"),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

test("parts keep their binary bytes exactly, including CRLF inside them", () => {
  const binary = Buffer.from([0x78, 0x9c, 0x0d, 0x0a, 0x00, 0xff, 0x2d, 0x2d]);
  const parsed = parseMultipart(
    body("xyz", [
      { name: "segment", type: "application/octet-stream", bytes: binary },
      {
        name: "event",
        type: "application/json",
        bytes: Buffer.from('{"a":1}'),
      },
    ]),
    "multipart/form-data; boundary=xyz",
  );

  assert.deepEqual(
    parsed.map((part) => part.name),
    ["segment", "event"],
  );
  assert.deepEqual(parsed[0].bytes, binary);
  assert.equal(parsed[1].bytes.toString(), '{"a":1}');
});

test("a quoted boundary is read without its quotes", () => {
  assert.equal(boundaryOf('multipart/form-data; boundary="a b"'), "a b");
});

test("a body that is not multipart is an error", () => {
  assert.throws(() => boundaryOf("application/json"), /not a multipart body/);
  assert.throws(
    () =>
      parseMultipart(
        Buffer.from("--xyz\r\nname"),
        "multipart/form-data; boundary=xyz",
      ),
    /ends inside a part/,
  );
});
