import { deflateSync } from "node:zlib";
import type { AddinIconSize } from "../../domain/addin/manifest";

/**
 * The add-in's icon, drawn at the asked size (Outlook asks for 16–128 px): a rounded blue tile with a
 * white room outline and its door. Drawn rather than stored, so every size is sharp and no binary sits
 * in the source.
 */
export function addinIconPng(size: AddinIconSize): Uint8Array {
  const blue = [15, 108, 189, 255] as const;
  const white = [255, 255, 255, 255] as const;
  const clear = [0, 0, 0, 0] as const;
  const radius = size * 0.18;
  const stroke = Math.max(1, Math.round(size / 14));
  const [l, t, r, b] = [size * 0.24, size * 0.24, size * 0.76, size * 0.76].map(Math.round) as [
    number,
    number,
    number,
    number,
  ];
  const doorLeft = Math.round(size * 0.44);
  const doorRight = Math.round(size * 0.56);
  const pixel = (x: number, y: number): readonly number[] => {
    const cx = Math.min(Math.max(x + 0.5, radius), size - radius);
    const cy = Math.min(Math.max(y + 0.5, radius), size - radius);
    if ((x + 0.5 - cx) ** 2 + (y + 0.5 - cy) ** 2 > radius ** 2) return clear;
    const inRoom = x >= l && x < r && y >= t && y < b;
    const onOutline = inRoom && (x < l + stroke || x >= r - stroke || y < t + stroke || y >= b - stroke);
    const inDoor = x >= doorLeft && x < doorRight && y >= b - stroke;
    return onOutline && !inDoor ? white : blue;
  };
  const rows: number[] = [];
  for (let y = 0; y < size; y++) {
    rows.push(0);
    for (let x = 0; x < size; x++) rows.push(...pixel(x, y));
  }
  const header = new Uint8Array(13);
  const view = new DataView(header.buffer);
  view.setUint32(0, size);
  view.setUint32(4, size);
  header.set([8, 6, 0, 0, 0], 8);
  return concat([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", header),
    chunk("IDAT", deflateSync(Uint8Array.from(rows))),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const typed = concat([new TextEncoder().encode(type), data]);
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(typed, 4);
  view.setUint32(8 + data.length, crc32(typed));
  return out;
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const byte of bytes) c = (crcTable[(c ^ byte) & 0xff] ?? 0) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
