import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  readdirSync,
  rmSync,
  fsyncSync,
  renameSync,
  writeSync,
  readSync,
} from 'node:fs';
import { basename, join, resolve, sep } from 'node:path';
import { fsyncDir, tempPathFor } from '../core/atomic-file.js';
import type { Clock } from '../core/clock.js';
import type { Logger } from '../core/logger.js';
import type { RecordsService } from '../records/records.service.js';
import { sha256File } from '../contract/bundle-zip.js';
import type { BundlesRepo } from './bundles.repo.js';

/** Where removable drives are mounted: behind an interface so tests use a temp folder as a "stick". */
export interface StickProbe {
  /** Mount points of removable drives present now. */
  sticks(): string[];
}

/**
 * Mount points in /proc/self/mountinfo under one of `roots` (e.g. /media/<user>/<label>, /mnt/usb), each
 * once, the roots themselves only when a drive is mounted there. Only mounts of a file system's own root
 * count: under systemd, `ReadWritePaths=/media/fieldclass` makes that folder a bind mount of a directory of
 * the system disk inside the service (root field not "/"), which is not a stick, and a stick mounted later
 * shows up twice there (propagated to the folder and to its bind). Nothing when mountinfo cannot be read.
 */
export function mountedSticks(roots: readonly string[], mountInfoFile = '/proc/self/mountinfo'): StickProbe {
  // mountinfo escapes spaces and other characters as octal.
  const unescape = (p: string) =>
    p.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));
  return {
    sticks() {
      let text: string;
      try {
        text = readFileSync(mountInfoFile, 'utf8');
      } catch {
        return [];
      }
      const points = new Set<string>();
      for (const line of text.split('\n')) {
        // id parent major:minor root mount-point options [optional fields] - type source super-options
        const [, , , fsRoot, point] = line.split(' ');
        if (fsRoot !== '/' || !point) continue;
        const p = unescape(point);
        if (roots.some((r) => p === resolve(r) || p.startsWith(resolve(r) + sep))) points.add(p);
      }
      return [...points];
    },
  };
}

export interface StickCopyResult {
  stick: string;
  folder: string;
  copied: string[];
  alreadyThere: string[];
  failed: { file: string; reason: string }[];
}

/** The folder on a stick that receives the outbox. */
export const STICK_FOLDER = join('fieldclass', 'outbox');

/**
 * Copies recorded bundle files to `<stick>/fieldclass/outbox/`: each to a temp name, fsynced, renamed,
 * the folder fsynced, then read back and hashed against the hash recorded at export; only then is the
 * bundle marked 'copied'. A stick pulled mid-copy leaves at most a temp file, never a bad bundle under
 * its final name.
 */
export class UsbCopyService {
  constructor(
    private readonly deps: { records: RecordsService; bundles: BundlesRepo; clock: Clock; logger: Logger },
    private readonly probe: StickProbe,
  ) {}

  sticks(): string[] {
    return this.probe.sticks();
  }

  /** Copy to every stick present; [] when none is. */
  copyAll(): StickCopyResult[] {
    return this.probe.sticks().map((s) => this.copyTo(s));
  }

  copyTo(stick: string): StickCopyResult {
    const folder = join(stick, STICK_FOLDER);
    const result: StickCopyResult = { stick, folder, copied: [], alreadyThere: [], failed: [] };
    mkdirSync(folder, { recursive: true });
    for (const n of readdirSync(folder))
      if (n.startsWith('.') && n.endsWith('.tmp')) rmSync(join(folder, n), { force: true });
    for (const b of this.deps.bundles.list()) {
      if (!existsSync(b.file)) continue;
      const dest = join(folder, basename(b.file));
      try {
        if (existsSync(dest) && sha256File(dest).sha256 === b.sha256) {
          result.alreadyThere.push(dest);
        } else {
          copyAtomically(b.file, dest);
          const back = sha256File(dest);
          if (back.sha256 !== b.sha256) {
            rmSync(dest, { force: true });
            throw new Error(
              `read back from the stick, ${basename(dest)} does not match (sha256 ${back.sha256})`,
            );
          }
          result.copied.push(dest);
        }
        if (!b.copied_at) {
          const at = this.deps.clock.now().toISOString();
          this.deps.records.writeNow(() => this.deps.bundles.markCopied(b.seq, at));
        }
      } catch (e) {
        result.failed.push({ file: b.file, reason: (e as Error).message });
        this.deps.logger.error({ file: b.file, stick, err: e }, 'copy to USB stick failed');
      }
    }
    if (result.copied.length)
      this.deps.logger.info({ stick, copied: result.copied.length }, 'bundles copied to USB stick');
    return result;
  }
}

function copyAtomically(src: string, dest: string): void {
  const tmp = tempPathFor(dest);
  const inFd = openSync(src, 'r');
  const outFd = openSync(tmp, 'wx', 0o644);
  try {
    const buf = Buffer.allocUnsafe(1 << 20);
    let pos = 0;
    for (;;) {
      const n = readSync(inFd, buf, 0, buf.length, pos);
      if (n === 0) break;
      let w = 0;
      while (w < n) w += writeSync(outFd, buf, w, n - w);
      pos += n;
    }
    fsyncSync(outFd);
  } catch (e) {
    closeSync(outFd);
    closeSync(inFd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(outFd);
  closeSync(inFd);
  renameSync(tmp, dest);
  fsyncDir(resolve(dest, '..'));
}
