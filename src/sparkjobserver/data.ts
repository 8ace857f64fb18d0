/**
 * Data files (`/data`), kept in memory only. Follows io/DataFileDAO.scala and
 * DataManagerActor.scala, unchanged from v0.9.0 to v0.11.1: a file is stored under
 * `<rootdir>/<prefix>-<upload time, ':' as '_'>.dat` and known by that whole path.
 */
import { ByteStore } from './byte-store.js';

/** `spark.jobserver.datadao.rootdir` of the shipped application.conf (v0.9.0 to v0.11.1). */
export const DATA_ROOT_DIR = '/tmp/spark-jobserver/upload';

export interface DataFile {
  /** The absolute path the server names it by. */
  name: string;
  bytes: Uint8Array;
  /** Epoch ms of its upload. */
  uploadTime: number;
}

/** The data files of one namespace, bounded by limits.sparkBinaryBytes (each counts at least 1 KiB). */
export class DataStore extends ByteStore<DataFile> {
  /** The name DataFileDAO.createFileName gives: the prefix, '-', Joda's time with ':' as '_', '.dat'. */
  static fileName(prefix: string, jodaTime: string): string {
    return `${DATA_ROOT_DIR}/${prefix}-${jodaTime.replace(/:/g, '_')}.dat`;
  }

  /** Stores the bytes under this name (the same name again replaces them, as the file is rewritten). */
  put(name: string, bytes: Uint8Array, now: number): DataFile {
    return this.store({ name, bytes, uploadTime: now });
  }
}
