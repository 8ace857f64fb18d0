import { ByteStore } from './byte-store.js';
import type { BinaryType } from './versions.js';
import { zipEntryNames } from './zip.js';

export interface Binary {
  name: string;
  type: BinaryType;
  /** Epoch ms of the last upload. */
  uploadTime: number;
  /** The bytes as uploaded (empty for a fixture binary). */
  bytes: Uint8Array;
  /** File names inside the archive, read once at upload. */
  entries: string[];
}

/** Binaries of one namespace, in memory only, bounded by limits.sparkBinaryBytes. */
export class BinaryStore extends ByteStore<Binary> {
  /** Stores (or replaces) a binary; the caller checked fits(). */
  put(name: string, type: BinaryType, bytes: Uint8Array, now: number): Binary {
    return this.store({ name, type, uploadTime: now, bytes, entries: zipEntryNames(bytes) });
  }
}
