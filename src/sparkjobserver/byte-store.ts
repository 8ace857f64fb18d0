import type { Limits } from '../limits.js';

/**
 * Named byte payloads of one namespace (binaries, data files), in memory only, together bounded
 * by limits.sparkBinaryBytes; each counts at least 1 KiB, so empty ones cannot pile up for free.
 */
export class ByteStore<T extends { name: string; bytes: Uint8Array }> {
  readonly byName = new Map<string, T>();
  private bytesHeld = 0;

  constructor(
    private readonly limits: Limits,
    /** Told the name of an item stored, replaced or deleted (for live views). */
    private readonly changed: (name: string) => void = () => {},
  ) {}

  private static weight(bytes: Uint8Array): number {
    return Math.max(bytes.length, 1024);
  }

  /** Whether storing these bytes under this name (replacing what it holds) stays within the limit. */
  fits(name: string, bytes: Uint8Array): boolean {
    const old = this.byName.get(name);
    const after = this.bytesHeld - (old ? ByteStore.weight(old.bytes) : 0) + ByteStore.weight(bytes);
    return after <= this.limits.sparkBinaryBytes;
  }

  /** Stores (or replaces) an item; the caller checked fits(). */
  protected store(item: T): T {
    this.delete(item.name);
    this.byName.set(item.name, item);
    this.bytesHeld += ByteStore.weight(item.bytes);
    this.changed(item.name);
    return item;
  }

  get(name: string): T | undefined {
    return this.byName.get(name);
  }

  delete(name: string): boolean {
    const old = this.byName.get(name);
    if (!old) return false;
    this.bytesHeld -= ByteStore.weight(old.bytes);
    this.byName.delete(name);
    this.changed(name);
    return true;
  }

  clear(): void {
    for (const name of [...this.byName.keys()]) this.delete(name);
  }

  get totalBytes(): number {
    return this.bytesHeld;
  }
}
