import { join } from 'node:path';
import { PACKAGE_ROOT } from '../core/paths.js';
import { MemoryAsset } from '../web/static-assets.js';

const script = (name: string, file: string): MemoryAsset => MemoryAsset.fromFile(file, '/rt/', `${name}.js`);

/** The scorm-again scripts and the box's own player scripts and stylesheet, loaded once. */
export class ScormScripts {
  private static instance: ScormScripts | undefined;
  /** One copy per process (the app and the package origin serve the same scripts). */
  static shared(): ScormScripts {
    return (ScormScripts.instance ??= new ScormScripts());
  }
  readonly all = new Map<string, MemoryAsset>();
  readonly byName: Record<'scorm12' | 'scorm2004' | 'player' | 'playerCss' | 'wrapper', MemoryAsset>;
  constructor() {
    const dist = join(PACKAGE_ROOT, 'node_modules', 'scorm-again', 'dist');
    const own = join(PACKAGE_ROOT, 'src', 'learning');
    this.byName = {
      scorm12: script('scorm12', join(dist, 'scorm12.min.js')),
      scorm2004: script('scorm2004', join(dist, 'scorm2004.min.js')),
      player: script('player', join(own, 'scorm.player.js')),
      playerCss: MemoryAsset.fromFile(join(own, 'scorm.player.css'), '/rt/', 'player.css'),
      wrapper: script('wrapper', join(own, 'scorm.wrapper.js')),
    };
    for (const s of Object.values(this.byName)) this.all.set(s.url, s);
  }
}
