/** A byte range of a file on disk, read without reading the rest. */
import { open } from 'node:fs/promises';

/** Up to `length` bytes of the file at `absolute` from byte `start`: fewer at its end, none past it. */
export async function readDiskRange(absolute: string, start: number, length: number): Promise<Buffer> {
  const handle = await open(absolute, 'r');
  try {
    const { size } = await handle.stat();
    // Unsafe (not zeroed) is fine: only the bytes read are returned.
    const bytes = Buffer.allocUnsafe(Math.max(0, Math.min(length, size - start)));
    const { bytesRead } = await handle.read(bytes, 0, bytes.length, start);
    return bytes.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}
