/** Writes the bundled demo space (`functions/shared/demo/space.export.json`) from `space.ts`. */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDemoSpace } from '../functions/shared/demo/space.js';

const target = fileURLToPath(new URL('../functions/shared/demo/space.export.json', import.meta.url));
writeFileSync(target, `${JSON.stringify(buildDemoSpace(), null, 2)}\n`);
console.log(`wrote ${target}`);
