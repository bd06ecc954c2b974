// Renders assets/icon.png (512×512) from the same shapes as assets/icon.svg with a tiny rasterizer and PNG encoder,
// so the icon needs no native image library. Run: node assets/make-icon.mjs
import { writeFileSync } from 'node:fs';
import { deflateSync } from 'node:zlib';

const N = 512;
const SS = 3; // supersampling per axis: smooth edges
const px = new Float64Array(N * N * 4);
const hex = (h) => [parseInt(h.slice(1, 3), 16), parseInt(h.slice(3, 5), 16), parseInt(h.slice(5, 7), 16)];

const roundRect = (x, y, w, h, r) => (X, Y) => {
  const cx = Math.min(Math.max(X, x + r), x + w - r);
  const cy = Math.min(Math.max(Y, y + r), y + h - r);
  return X >= x && X <= x + w && Y >= y && Y <= y + h && (X - cx) ** 2 + (Y - cy) ** 2 <= r * r;
};
const circle = (cx, cy, r) => (X, Y) => (X - cx) ** 2 + (Y - cy) ** 2 <= r * r;
const rect = (x, y, w, h) => (X, Y) => X >= x && X <= x + w && Y >= y && Y <= y + h;
// A curtain: the inner edge follows the quadratic curve of the SVG path (t ↦ y is monotonic there).
const curtain = (outer, top, ctrl, bottom) => (X, Y) => {
  if (Y < 80 || Y > 448) return false;
  const t = (Y - 80) / 368;
  const edge = (1 - t) ** 2 * top + 2 * (1 - t) * t * ctrl + t * t * bottom;
  return outer < edge ? X >= outer && X <= edge : X <= outer && X >= edge;
};

const layers = [
  [roundRect(16, 16, 480, 480, 96), '#161a22'],
  [roundRect(16, 16, 480, 64, 32), '#8e1b2c'],
  [curtain(48, 176, 150, 200), '#b3263a'],
  [curtain(464, 336, 362, 312), '#b3263a'],
  [rect(196, 293, 120, 14), '#e8c872'],
  [circle(196, 300, 22), '#e8c872'],
  [circle(256, 300, 22), '#e8c872'],
  [circle(316, 300, 22), '#e8c872'],
];

for (let y = 0; y < N; y++) {
  for (let x = 0; x < N; x++) {
    let r = 0,
      g = 0,
      b = 0,
      a = 0;
    for (let sy = 0; sy < SS; sy++) {
      for (let sx = 0; sx < SS; sx++) {
        const X = x + (sx + 0.5) / SS,
          Y = y + (sy + 0.5) / SS;
        let c = null;
        for (const [inside, color] of layers) if (inside(X, Y)) c = color;
        if (c) {
          const [cr, cg, cb] = hex(c);
          r += cr;
          g += cg;
          b += cb;
          a += 1;
        }
      }
    }
    const i = (y * N + x) * 4;
    px[i] = a ? r / a : 0;
    px[i + 1] = a ? g / a : 0;
    px[i + 2] = a ? b / a : 0;
    px[i + 3] = (a / (SS * SS)) * 255;
  }
}

const raw = Buffer.alloc(N * (N * 4 + 1));
for (let y = 0; y < N; y++) {
  raw[y * (N * 4 + 1)] = 0; // filter: none
  for (let x = 0; x < N * 4; x++) raw[y * (N * 4 + 1) + 1 + x] = Math.round(px[y * N * 4 + x]);
}
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc = (buf) => {
  let c = 0xffffffff;
  for (const byte of buf) c = crcTable[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};
const chunk = (type, data) => {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const c = Buffer.alloc(4);
  c.writeUInt32BE(crc(td));
  return Buffer.concat([len, td, c]);
};
const ihdr = Buffer.alloc(13);
ihdr.writeUInt32BE(N, 0);
ihdr.writeUInt32BE(N, 4);
ihdr[8] = 8;
ihdr[9] = 6;
ihdr[10] = 0;
ihdr[11] = 0;
ihdr[12] = 0; // 8-bit RGBA
const png = Buffer.concat([
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
  chunk('IHDR', ihdr),
  chunk('IDAT', deflateSync(raw, { level: 9 })),
  chunk('IEND', Buffer.alloc(0)),
]);
writeFileSync(new URL('./icon.png', import.meta.url), png);
console.log(`assets/icon.png: ${png.length} bytes`);
