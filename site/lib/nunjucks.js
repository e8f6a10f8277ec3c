// One Nunjucks environment per process over site/_includes: each layout compiles once and stays
// compiled across Eleventy runs (a full build runs Eleventy once per chunk, a targeted rebuild once
// per change). Eleventy 3.1 recompiles a paginated .njk template for every page it emits, and a new
// Eleventy instance recompiles every layout; measured, that was ~25% of render time.
import { fileURLToPath } from 'node:url';
import nunjucks from 'nunjucks';

const includes = fileURLToPath(new URL('../_includes/', import.meta.url));

// autoescape: every `{{ value }}` is HTML-escaped unless a template marks it `| safe`.
export const environment = new nunjucks.Environment(new nunjucks.FileSystemLoader(includes), { autoescape: true });

/** Renders `_includes/<name>` with `context`. */
export function render(name, context) {
  return new Promise((resolve, reject) => {
    environment.render(name, context, (error, result) => (error ? reject(error) : resolve(result ?? '')));
  });
}
