import { z } from 'zod';
import { languageSchema } from '../core/config.js';

/** Usernames: letters (any script), digits, dot, dash, underscore; compared case- and width-insensitively. */
export const usernameSchema = z
  .string()
  .trim()
  .min(2, 'usernameShort')
  .max(64, 'usernameLong')
  .regex(/^[\p{L}\p{N}._-]+$/u, 'usernameChars');

export const pinSchema = z.string().regex(/^\d{4,8}$/, 'pinFormat');

export const passwordSchema = z.string().min(8, 'passwordShort').max(200);

export const genderSchema = z.enum(['female', 'male', 'other', 'undisclosed']);

const optionalText = (max: number) =>
  z
    .string()
    .trim()
    .max(max)
    .transform((v) => (v === '' ? null : v))
    .nullable()
    .optional();

export const personFieldsSchema = z.object({
  displayName: z.string().trim().max(120).optional(),
  externalId: optionalText(64),
  agency: optionalText(120),
  gender: genderSchema.nullable().optional(),
  language: languageSchema.nullable().optional(),
});

export const newTraineeSchema = personFieldsSchema.extend({ username: usernameSchema, pin: pinSchema });
export type NewTrainee = z.input<typeof newTraineeSchema>;

export const newCoordinatorSchema = personFieldsSchema.extend({
  username: usernameSchema,
  password: passwordSchema,
});
export type NewCoordinator = z.input<typeof newCoordinatorSchema>;

export type PersonUpdate = z.input<typeof personFieldsSchema> & { active?: boolean };

/** The key usernames are unique by: NFKC and case-folded, so "Awa" and "ＡＷＡ" are one user. */
export const usernameKey = (username: string): string => username.normalize('NFKC').trim().toLowerCase();
