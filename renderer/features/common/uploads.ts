/** Files picked or dropped in the browser, as the contract's UploadedFile (base64 bytes). */
import type { UploadedFile } from '../../../studio/contract.ts';

export async function readUpload(f: File): Promise<UploadedFile> {
  const buf = new Uint8Array(await f.arrayBuffer());
  let bin = '';
  for (let i = 0; i < buf.length; i += 0x8000) bin += String.fromCharCode(...buf.subarray(i, i + 0x8000));
  return { name: f.name, base64: btoa(bin) };
}
