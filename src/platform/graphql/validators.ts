import { Matches } from 'class-validator';

/** A locality's KATO code: 9 digits (the one message every input uses for `locality`). */
export const IsKatoLocality = (): PropertyDecorator => Matches(/^\d{9}$/, { message: 'locality must be a 9-digit KATO code' });

/** A group/language code such as KK or RU. */
export const IsLanguageCode = (): PropertyDecorator =>
  Matches(/^[A-Z]{2,3}$/, { message: 'language must be a language code such as KK or RU' });
