import type { Limits } from '../limits.js';
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
export class BinaryStore {
  readonly byName = new Map<string, Binary>();
  private bytesHeld = 0;

  constructor(
    private readonly limits: Limits,
    /** Told the name of a binary stored, replaced or deleted (for live views). */
    private readonly changed: (name: string) => void = () => {},
  ) {}

  private static weight(bytes: Uint8Array): number {
    return Math.max(bytes.length, 1024);
  }

  /** Whether storing these bytes under this name stays within the namespace's limit. */
  fits(name: string, bytes: Uint8Array): boolean {
    const old = this.byName.get(name);
    const after = this.bytesHeld - (old ? BinaryStore.weight(old.bytes) : 0) + BinaryStore.weight(bytes);
    return after <= this.limits.sparkBinaryBytes;
  }

  /** Stores (or replaces) a binary; the caller checked fits(). */
  put(name: string, type: BinaryType, bytes: Uint8Array, now: number): Binary {
    this.delete(name);
    const binary: Binary = { name, type, uploadTime: now, bytes, entries: zipEntryNames(bytes) };
    this.byName.set(name, binary);
    this.bytesHeld += BinaryStore.weight(bytes);
    this.changed(name);
    return binary;
  }

  get(name: string): Binary | undefined {
    return this.byName.get(name);
  }

  delete(name: string): boolean {
    const old = this.byName.get(name);
    if (!old) return false;
    this.bytesHeld -= BinaryStore.weight(old.bytes);
    this.byName.delete(name);
    this.changed(name);
    return true;
  }

  get totalBytes(): number {
    return this.bytesHeld;
  }
}
