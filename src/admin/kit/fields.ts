import { z } from 'zod';

/**
 * The pieces admin form schemas are made of. A form field a browser did not send (an unticked box, a
 * field left out) reads as '' as before; the service behind the form checks what the field means.
 */
export const field = (max = 200) => z.string().max(max).default('');

/** A choice that may be left blank ('' = not given = null). */
export const blankIsNull = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (v === '' || v === undefined ? null : v), schema.nullable());

/** A POST with nothing to read but its CSRF token (a button). */
export const noInput = z.object({});

/** A route's `:id`. */
export const idParam = z.object({ id: z.string().max(200) });
