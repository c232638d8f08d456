import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { STAGES, renderTemplate, type Language, type Stage } from './domain/stages.js';

const here = dirname(fileURLToPath(import.meta.url));
// Source layout (tests) or dist/ layout (the build copies src/notification/templates next to the JS).
const root = join(here, 'templates');

const cache = new Map<string, string>();

/** The template text of a stage in a language, from `templates/<lang>/<stage>.txt`. */
export function template(lang: Language, stage: Stage): string {
  const key = `${lang}/${stage}`;
  let t = cache.get(key);
  if (t === undefined) {
    t = readFileSync(join(root, lang, `${stage}.txt`), 'utf8');
    cache.set(key, t);
  }
  return t;
}

export function render(lang: Language, stage: Stage, params: Record<string, string | number>): string {
  return renderTemplate(template(lang, stage), params);
}

export const ALL_STAGES = STAGES;
