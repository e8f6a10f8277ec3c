#!/usr/bin/env node
// The `restatic` CLI. Sources are TypeScript run through tsx's loader, so a fresh clone needs no
// compile step: `npm ci && npm start` is the whole set-up.
import { register } from 'tsx/esm/api';

// The AWS SDK warns about Node 20 on every start; the Lambda runtime is nodejs22.x anyway.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
