/** Reading Lambda configuration: fail at cold start with a message naming the variable, not mid-request. */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigError } from './errors.js';

export function requireEnv(name: string, env: NodeJS.ProcessEnv = process.env): string {
  const value = env[name];
  if (!value) throw new ConfigError(name, 'is required but not set');
  return value;
}

/** A secret's string value from Secrets Manager (never from the template or the bundle). */
export async function readSecret(arn: string, client = new SecretsManagerClient({})): Promise<string> {
  const out = await client.send(new GetSecretValueCommand({ SecretId: arn }));
  if (!out.SecretString) throw new ConfigError(arn, 'secret has no string value');
  return out.SecretString;
}

/** Site settings shared by the functions that render. */
export function siteFromEnv(env: NodeJS.ProcessEnv = process.env) {
  return {
    baseUrl: requireEnv('SITE_URL', env).replace(/\/$/, ''),
    currencies: (env.CURRENCIES ?? 'USD,EUR').split(','),
    listingPageSize: 24,
  };
}
