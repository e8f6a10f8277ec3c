import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { buildDemoSpace } from '../../functions/shared/demo/space.js';
import { ConfigError } from '../../functions/shared/errors.js';
import { DEFAULT_WEBHOOK_SECRET, readLocalConfig } from '../../local/config.js';
import { DEMO_SPACE_FILE } from '../../local/demo-space.js';

describe('local configuration', () => {
  it('has the docs/contracts.md §2 defaults', () => {
    // Act
    const config = readLocalConfig({}, '/srv/app');
    // Assess
    expect(config).toMatchObject({ port: 8080, dataDir: '/srv/app/.restatic', demoProducts: 500, webhookSecret: DEFAULT_WEBHOOK_SECRET, spaceId: 'restatic-demo', environment: 'master', deliveryToken: undefined, siteUrl: 'http://127.0.0.1:8080' });
  });

  it.each([
    ['PORT', 'eighty'],
    ['PORT', '70000'],
    ['PORT', '-1'],
    ['DEMO_PRODUCTS', '-3'],
    ['CONTENTFUL_WEBHOOK_SECRET', 'too-short'],
    ['SITE_URL', 'ftp://x'],
  ])('refuses %s=%s with an error naming the variable', (variable, value) => {
    // Act
    let error: unknown;
    try {
      readLocalConfig({ [variable]: value });
    } catch (e) {
      error = e;
    }
    // Assess
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).variable).toBe(variable);
    expect((error as Error).message).toContain(variable);
  });
});

describe('bundled demo space', () => {
  it('is exactly what the generator builds (run `npm run demo:space` after changing it)', () => {
    expect(JSON.parse(readFileSync(DEMO_SPACE_FILE, 'utf8'))).toEqual(JSON.parse(JSON.stringify(buildDemoSpace())));
  });
});
