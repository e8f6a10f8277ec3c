#!/usr/bin/env node
// The `restatic` CLI. Sources are TypeScript run through tsx's loader, so a fresh clone needs no
// compile step: `npm ci && npm start` is the whole set-up.
import { register } from 'tsx/esm/api';

// The AWS SDK warns about Node 20 on every start; the Lambda runtime is nodejs22.x anyway.
process.env.AWS_SDK_JS_SUPPRESS_MAINTENANCE_MODE_MESSAGE ??= '1';
const originalEmit = process.emitWarning;
process.emitWarning = (warning, ...rest) => {
  if (String(warning?.name ?? rest[0]?.type ?? rest[0] ?? '').includes('NodeVersionSupportWarning') || String(warning).includes('AWS SDK for JavaScript (v3)')) return;
  return originalEmit.call(process, warning, ...rest);
};
register();
const { main } = await import('../cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
