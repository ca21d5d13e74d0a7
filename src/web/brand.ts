import { readFileSync, statSync } from 'node:fs';
import { extname, resolve } from 'node:path';
import { configError, type Config } from '../core/config.js';
import type { StaticAssets } from './static-assets.js';

/** What every trainee page shows of the organisation running the class (config `organisation`). */
export interface Brand {
  /** The organisation's name, or '' (the pages then say "fieldclass"). */
  name: string;
  /** Fingerprinted URL of the logo, when one is configured. */
  logoUrl: string | undefined;
  /** The favicon: the logo when there is one, else the app's own icon. */
  iconUrl: string;
  iconType: string;
}

export const LOGO_MAX_BYTES = 256 * 1024;

/**
 * Read the configured logo once at start and serve it from memory with the app's assets (a phone
 * caches it for a year under its fingerprinted URL). A missing or oversized file stops the box with a
 * message naming the field, like any other invalid config value.
 */
export function loadBrand(config: Config, assets: StaticAssets): Brand {
  const { name, logo } = config.organisation;
  if (!logo)
    return { name, logoUrl: undefined, iconUrl: assets.url('favicon.svg'), iconType: 'image/svg+xml' };
  const file = resolve(config.dataDir, logo);
  let size: number;
  try {
    size = statSync(file).size;
  } catch {
    throw configError('config_invalid', { detail: `organisation.logo: ${file} cannot be read` });
  }
  if (size > LOGO_MAX_BYTES)
    throw configError('config_invalid', { detail: `organisation.logo: ${file} is larger than 256 KB` });
  const asset = assets.add(`logo${extname(file).toLowerCase()}`, readFileSync(file));
  return { name, logoUrl: asset.url, iconUrl: asset.url, iconType: asset.type };
}
