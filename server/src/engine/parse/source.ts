import { TextDecoder } from 'node:util';

/** Files larger than this are not analysed: nobody hand-writes settings or views that big. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;

export type DecodeResult = { ok: true; text: string; hadBom: boolean } | { ok: false; problem: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Turns file bytes into text the way Python would read a source file, or says why not. */
export function decodeSource(bytes: Uint8Array): DecodeResult {
  if (bytes.length > MAX_SOURCE_BYTES) {
    return { ok: false, problem: `file is too large to analyse (${formatBytes(bytes.length)}, limit ${formatBytes(MAX_SOURCE_BYTES)})` };
  }
  // NOTE: Python refuses source with a NUL byte anywhere ("source code cannot contain null bytes").
  if (bytes.includes(0)) return { ok: false, problem: 'binary file (contains NUL bytes)' };
  let text: string;
  try {
    text = strictUtf8.decode(bytes);
  } catch {
    const offset = firstInvalidUtf8Offset(bytes);
    return { ok: false, problem: `invalid UTF-8 at byte ${offset}` };
  }
  const hadBom = text.charCodeAt(0) === 0xfeff;
  // NOTE: editors drop the BOM from the document text too, so columns on line 1 agree;
  // writers put it back (see encodeSource).
  if (hadBom) text = text.slice(1);
  return { ok: true, text, hadBom };
}

/** The offset of the first byte that starts an ill-formed sequence (Unicode table 3-7). */
function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  const inRange = (i: number, low: number, high: number) => i < bytes.length && bytes[i] >= low && bytes[i] <= high;
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    let length: number;
    let secondLow = 0x80;
    let secondHigh = 0xbf;
    if (b < 0x80) length = 1;
    else if (b >= 0xc2 && b <= 0xdf) length = 2;
    else if (b >= 0xe0 && b <= 0xef) {
      length = 3;
      if (b === 0xe0) secondLow = 0xa0;
      if (b === 0xed) secondHigh = 0x9f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      length = 4;
      if (b === 0xf0) secondLow = 0x90;
      if (b === 0xf4) secondHigh = 0x8f;
    } else return i;
    if (length > 1 && !inRange(i + 1, secondLow, secondHigh)) return i;
    for (let k = 2; k < length; k++) if (!inRange(i + k, 0x80, 0xbf)) return i;
    i += length;
  }
  return i;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
}

export function encodeSource(text: string, hadBom: boolean): Buffer {
  return Buffer.from(hadBom ? '\ufeff' + text : text, 'utf8');
}
