/**
 * Kezek's one time zone: Asia/Almaty at a FIXED UTC+5. Kazakhstan moved to a single UTC+5 zone on
 * 1 March 2024 and observes no DST, so no tz database is used (results do not depend on the host's
 * tzdata). Pure constants: platform code and domain code (lint allows this file) both read them.
 */
export const ALMATY_OFFSET_MINUTES = 300;
export const ALMATY_OFFSET_MS = ALMATY_OFFSET_MINUTES * 60_000;

const pad2 = (n: number): string => String(n).padStart(2, '0');
/** The offset as ISO-8601 writes it: '+05:00'. */
export const ALMATY_OFFSET_ISO = `+${pad2(Math.floor(ALMATY_OFFSET_MINUTES / 60))}:${pad2(ALMATY_OFFSET_MINUTES % 60)}`;
