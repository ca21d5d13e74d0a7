import { adminError } from '../admin/admin.errors.js';
import { bundlesError } from '../bundles/bundles.errors.js';
import { configError } from '../core/config.js';
import { coreError } from '../core/errors.js';
import { contentError } from '../content/content.errors.js';
import { bundleErrors } from '../contract/bundle-format.js';
import { hqError } from '../hq/hq.errors.js';
import { healthError } from '../health/health.errors.js';
import { jobsError } from '../jobs/jobs.errors.js';
import { learningError } from '../learning/learning.errors.js';
import { scormError } from '../learning/scorm.errors.js';
import { peopleError } from '../people/people.errors.js';
import { recordsError } from '../records/records.errors.js';
import { errorCatalog } from '../web/error-text.js';
import { webError } from '../web/web.errors.js';

/**
 * The error codes each app's pages can show, with their status and their text in en/fr/ar: every
 * feature's kit, gathered here (the one error middleware and the admin's messages read it). A code
 * defined twice with different texts stops the start.
 */
export const boxErrors = errorCatalog([
  coreError,
  webError,
  peopleError,
  adminError,
  jobsError,
  healthError,
  learningError,
  recordsError,
  scormError,
  contentError,
  bundlesError,
  bundleErrors,
  configError,
]);

export const hqErrors = errorCatalog([coreError, webError, bundleErrors, hqError, configError]);
