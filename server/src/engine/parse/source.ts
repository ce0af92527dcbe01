import { TextDecoder } from 'node:util';

/** Files larger than this are not analysed: nobody hand-writes settings or views that big. */
export const MAX_SOURCE_BYTES = 5 * 1024 * 1024;

export type DecodeResult =
  | { ok: true; text: string; hadBom: boolean }
  | { ok: false; problem: string };

const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** Turns file bytes into text the way Python would read a source file, or says why not. */
export function decodeSource(bytes: Uint8Array): DecodeResult {
  if (bytes.length > MAX_SOURCE_BYTES) {
    return { ok: false, problem: `file is too large to analyse (${formatBytes(bytes.length)}, limit ${formatBytes(MAX_SOURCE_BYTES)})` };
  }
  const probe = bytes.subarray(0, 8192);
  if (probe.includes(0)) return { ok: false, problem: 'binary file (contains NUL bytes)' };
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

function firstInvalidUtf8Offset(bytes: Uint8Array): number {
  let i = 0;
  while (i < bytes.length) {
    const b = bytes[i];
    const len = b < 0x80 ? 1 : b >> 5 === 0b110 ? 2 : b >> 4 === 0b1110 ? 3 : b >> 3 === 0b11110 ? 4 : 0;
    if (len === 0 || i + len > bytes.length) return i;
    for (let k = 1; k < len; k++) if (bytes[i + k] >> 6 !== 0b10) return i;
    i += len;
  }
  return i;
}

function formatBytes(n: number): string {
  return n >= 1024 * 1024 ? `${(n / 1024 / 1024).toFixed(1)} MB` : `${Math.round(n / 1024)} KB`;
}

export function encodeSource(text: string, hadBom: boolean): Buffer {
  return Buffer.from(hadBom ? '\ufeff' + text : text, 'utf8');
}
