// Files for the attachment tests, made from bytes in the test (no fixtures on disk): a real PNG
// (zlib-deflated RGB rows, checked CRCs, so libvips can make a thumbnail of it), a small PDF and an
// SVG with a script (which the server refuses), and the SHA-256 that the server reports.
import { createHash } from "node:crypto";
import { deflateSync } from "node:zlib";

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const out = Buffer.alloc(12 + data.length);
  out.writeUInt32BE(data.length, 0);
  out.write(type, 4, "ascii");
  data.copy(out, 8);
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length);
  return out;
}

/** A width x height RGB PNG; pixel(x, y) returns [r, g, b] (0..255). */
export function makePng(width, height, pixel) {
  const rows = Buffer.alloc(height * (1 + 3 * width));
  for (let y = 0, o = 0; y < height; y++) {
    rows[o++] = 0; // filter: none
    for (let x = 0; x < width; x++) {
      const [r, g, b] = pixel(x, y);
      rows[o++] = r;
      rows[o++] = g;
      rows[o++] = b;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr.set([8, 2, 0, 0, 0], 8); // 8 bits per channel, RGB, deflate, no filter method, no interlace
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk("IHDR", ihdr),
    chunk("IDAT", deflateSync(rows)),
    chunk("IEND", Buffer.alloc(0)),
  ]);
}

const clamp = (v) => Math.max(0, Math.min(255, Math.round(v)));

/**
 * A photo-like picture (a soft skin-toned gradient with a reddish patch), so screenshots show
 * something a patient might send.
 */
export function photoPng(width = 480, height = 360) {
  const cx = width * 0.55, cy = height * 0.48, r = Math.min(width, height) * 0.28;
  return makePng(width, height, (x, y) => {
    const shade = 1 - 0.18 * (y / height) - 0.08 * (x / width);
    let [red, green, blue] = [232 * shade, 190 * shade, 160 * shade];
    const d = Math.hypot((x - cx) / 1.3, y - cy) / r;
    if (d < 1) {
      const k = (1 - d * d) * 0.55;
      red += (205 - red) * k;
      green += (95 - green) * k;
      blue += (95 - blue) * k;
    }
    return [clamp(red), clamp(green), clamp(blue)];
  });
}

/** A small, valid-looking PDF (the server sniffs "%PDF-"). */
export function pdfBytes(title = "Lab results") {
  const text = `%PDF-1.4
1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj
2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj
3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R >> endobj
4 0 obj << /Length 44 >> stream
BT /F1 18 Tf 72 720 Td (${title}) Tj ET
endstream endobj
trailer << /Root 1 0 R >>
%%EOF
`;
  return Buffer.from(text, "latin1");
}

/** An SVG carrying a script: the server must refuse it (415). */
export function svgWithScript() {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>
<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" viewBox="0 0 100 100">
  <script type="application/ecmascript">alert(document.cookie)</script>
  <circle cx="50" cy="50" r="40" fill="red"/>
</svg>
`,
    "utf8",
  );
}

export function sha256(bytes) {
  return createHash("sha256").update(bytes).digest("hex");
}
