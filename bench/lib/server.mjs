// The benchmark's own web server: it serves the generated pages, the
// recorders' files and a stand-in for tapedeck's intake that keeps the
// uploaded segments in memory, so the bytes on the wire are the real ones
// and no intake (or its access control) is involved.

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { inflateSync } from "node:zlib";

import { parseMultipart } from "./multipart.mjs";

const CONTENT_TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".cjs": "text/javascript; charset=utf-8",
  ".wasm": "application/wasm",
  ".json": "application/json",
};

/**
 * Starts the server on a free local port.
 *
 * `mounts` maps a URL prefix (`/tapedeck/`) to a folder on disk; `pages`
 * is a Map from a path (`/pages/static-1000.html`) to generated text. Each
 * request for a file is logged, so a caller can tell what a page downloaded.
 */
export async function startServer({ mounts, pages }) {
  const segments = [];
  const uploadErrors = [];
  const served = [];

  const server = createServer((request, response) => {
    handle(request, response).catch((error) => {
      response.writeHead(500, { "content-type": "text/plain" });
      response.end(String(error && error.message));
    });
  });

  async function handle(request, response) {
    const url = new URL(request.url, "http://bench");

    if (url.pathname === "/api/v1/replay" && request.method === "POST") {
      const body = await readBody(request);
      try {
        segments.push(toSegment(body, request.headers["content-type"]));
      } catch (error) {
        uploadErrors.push(error);
        throw error;
      }
      response.writeHead(202, { "content-type": "application/json" });
      response.end("{}");
      return;
    }

    // Browsers ask for it on their own; a 404 would read as a page error.
    if (url.pathname === "/favicon.ico") {
      response.writeHead(204);
      response.end();
      return;
    }

    const generated = pages.get(url.pathname);
    if (generated !== undefined) {
      const bytes = Buffer.from(generated, "utf8");
      served.push({ path: url.pathname, bytes });
      send(response, url.pathname, bytes);
      return;
    }

    for (const [prefix, folder] of Object.entries(mounts)) {
      if (!url.pathname.startsWith(prefix)) continue;
      const relative = decodeURIComponent(url.pathname.slice(prefix.length));
      const file = path.resolve(folder, relative);
      if (!file.startsWith(path.resolve(folder) + path.sep)) break;
      const bytes = await readFile(file).catch(() => null);
      if (!bytes) break;
      served.push({ path: url.pathname, bytes });
      send(response, file, bytes);
      return;
    }

    response.writeHead(404, { "content-type": "text/plain" });
    response.end("not found");
  }

  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address();

  return {
    origin: `http://127.0.0.1:${port}`,

    /**
     * Segments uploaded since the last call, and forgets them; throws the
     * first malformed upload instead, so no run counts a broken segment.
     */
    takeSegments() {
      if (uploadErrors.length > 0) {
        throw uploadErrors.splice(0, uploadErrors.length)[0];
      }
      return segments.splice(0, segments.length);
    },

    /** Files served since the last call, and forgets them. */
    takeServed() {
      return served.splice(0, served.length);
    },

    close() {
      return new Promise((resolve) => server.close(resolve));
    },
  };
}

function send(response, file, bytes) {
  const type = CONTENT_TYPES[path.extname(file)] || "application/octet-stream";
  response.writeHead(200, {
    "content-type": type,
    "cache-control": "no-store",
  });
  response.end(bytes);
}

function readBody(request) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    request.on("data", (chunk) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks)));
    request.on("error", reject);
  });
}

/**
 * One upload as `{ metadata, compressed }`. The segment must inflate to
 * the sizes its metadata states, so bytes are only counted when they are
 * a real segment; anything else throws and fails the run.
 */
function toSegment(body, contentType) {
  const parts = parseMultipart(body, contentType);
  const segment = parts.find((part) => part.name === "segment");
  const event = parts.find((part) => part.name === "event");
  if (!segment || !event) {
    throw new Error("an upload lacks its segment or event part");
  }

  const metadata = JSON.parse(event.bytes.toString("utf8"));
  const compressed = Buffer.from(segment.bytes);
  const raw = inflateSync(compressed);
  if (
    compressed.length !== metadata.compressed_segment_size ||
    raw.length !== metadata.raw_segment_size
  ) {
    throw new Error(
      `a segment of ${compressed.length} bytes (${raw.length} inflated) ` +
        `claims ${metadata.compressed_segment_size} ` +
        `(${metadata.raw_segment_size} inflated)`,
    );
  }
  if (!Array.isArray(JSON.parse(raw.toString("utf8")))) {
    throw new Error("a segment does not hold a JSON array of events");
  }
  return { metadata, compressed };
}
