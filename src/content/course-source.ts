import { closeSync, lstatSync, openSync, readdirSync, readFileSync, readSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { contentError } from './content.errors.js';

/**
 * Where the files of a course come from: a folder now, a verified zip bundle or SCORM package later
 * (issue 5). Paths are POSIX, relative to the course root, already checked (no `..`, no absolute path,
 * no symlink). The importer never writes them to disk.
 */
export interface CourseSource {
  /** For messages: the folder or file it was read from. */
  readonly name: string;
  /** Every file, sorted. */
  files(): readonly string[];
  size(path: string): number;
  /** A whole (small) file. */
  read(path: string): Buffer;
  /** A file in pieces of at most `pieceSize` bytes, so large media never sits in memory whole. */
  pieces(path: string, pieceSize: number): Iterable<Buffer>;
}

/** Files and folders that editors and operating systems leave behind; never part of a course. */
function ignored(name: string): boolean {
  return name.startsWith('.') || name === 'Thumbs.db' || name === 'desktop.ini' || name.endsWith('~');
}

/** A course folder on disk (content-bundles/<course>/, or one a coordinator points the CLI at). */
export class FolderSource implements CourseSource {
  readonly name: string;
  private readonly root: string;
  private readonly sizes = new Map<string, number>();

  constructor(dir: string) {
    this.root = resolve(dir);
    this.name = dir;
    let st;
    try {
      st = lstatSync(this.root);
    } catch {
      throw contentError('course_invalid', { detail: `${dir}: no such course folder` });
    }
    if (!st.isDirectory()) throw contentError('course_invalid', { detail: `${dir}: not a folder` });
    this.walk('');
  }

  private walk(rel: string): void {
    const dir = rel ? join(this.root, rel) : this.root;
    for (const name of readdirSync(dir).sort()) {
      if (ignored(name)) continue;
      const p = rel ? `${rel}/${name}` : name;
      const st = lstatSync(join(this.root, p));
      if (st.isSymbolicLink())
        throw contentError('course_invalid', { detail: `${p}: symbolic links are not allowed in a course` });
      if (st.isDirectory()) this.walk(p);
      else if (st.isFile()) this.sizes.set(p, st.size);
      else throw contentError('course_invalid', { detail: `${p}: not a regular file` });
    }
  }

  files(): readonly string[] {
    return [...this.sizes.keys()].sort();
  }

  size(path: string): number {
    const s = this.sizes.get(path);
    if (s === undefined) throw contentError('course_invalid', { detail: `${path}: missing` });
    return s;
  }

  read(path: string): Buffer {
    this.size(path);
    return readFileSync(join(this.root, path));
  }

  *pieces(path: string, pieceSize: number): Iterable<Buffer> {
    this.size(path);
    const fd = openSync(join(this.root, path), 'r');
    try {
      for (;;) {
        const buf = Buffer.allocUnsafe(pieceSize);
        let filled = 0;
        while (filled < pieceSize) {
          const n = readSync(fd, buf, filled, pieceSize - filled, null);
          if (n === 0) break;
          filled += n;
        }
        if (filled === 0) return;
        yield filled === pieceSize ? buf : buf.subarray(0, filled);
        if (filled < pieceSize) return;
      }
    } finally {
      closeSync(fd);
    }
  }
}
