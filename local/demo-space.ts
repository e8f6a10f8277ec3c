/**
 * Where the demo store's Contentful export lives. In its own module so that what only needs the
 * path (benchmarks, test fixtures) does not load the whole local stack with it.
 */
import { fileURLToPath } from 'node:url';

/** The demo space's content, as `contentful space export` writes it. */
export const DEMO_SPACE_FILE = fileURLToPath(new URL('../functions/shared/demo/space.export.json', import.meta.url));
