/**
 * `restatic <command>`: start (the local stack), build (full build + publish), seed, serve.
 * Exit codes: 0 ok, 1 failure, 2 usage or configuration error.
 */
import { parseArgs } from 'node:util';
import { ConfigError, RestaticError } from '../functions/shared/errors.js';
import { createJsonLogger } from '../functions/shared/logger.js';
import { readLocalConfig } from '../local/config.js';
import { runBuild, runFeeds, runPdfs, runPreviewUrl, runPublish, runReconcile, runReplay, runSeed, runServe, runStart } from './commands.js';
import { createOutput } from './output.js';

const USAGE = `Usage: restatic <command> [options]

Commands:
  start               run the whole pipeline locally (embedded S3 + DynamoDB, build, edge server)
  build [--target aws] full build and publish (local data dir by default; aws: RESTATIC_BUCKET,
                      RESTATIC_TABLE, RESTATIC_DISTRIBUTION_ID and the usual AWS credentials)
  seed [--count N] [--force]
                      write the demo catalog into the products table (only when empty unless --force)
  serve               serve what is published, without building
  rebuild --reconcile ask the running stack to diff catalog and content against the live site and
                      rebuild what events missed
  replay              ask the running stack to re-drive dead-lettered changes
  feeds               ask the running stack to regenerate the Google Shopping feeds now
  pdfs --sku S… | --all
                      ask the running stack to render spec sheets (and the catalog) now
  publish ENTRY_ID --set field=value [--set field@de-DE=value …] [--draft]
                      publish an entry of the local space as an editor would: a signed
                      webhook to the running stack, followed until the change is live;
                      --draft saves it instead (an auto-save): the preview shows it, the
                      live site does not, and the last line is a link to the preview
  preview-url ENTRY_ID [--ttl SECONDS] [--target aws]
                      a signed link to the private preview that opens the page showing the
                      entry once its latest draft is built (last line; valid 7 days by default);
                      aws: the deployed preview (RESTATIC_PREVIEW_KEY, RESTATIC_PREVIEW_URL)

Every command takes --json: its result as one JSON document on stdout, for machines.

Environment: PORT, RESTATIC_DATA_DIR, DEMO_PRODUCTS, CONTENTFUL_* (see README, Configuration).`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return command ? 0 : 2;
  }
  let config: ReturnType<typeof readLocalConfig>;
  try {
    config = readLocalConfig();
  } catch (error) {
    process.stderr.write(`restatic: ${(error as Error).message}\n`);
    return 2;
  }
  const logger = createJsonLogger({ service: `restatic-${command}`, level: config.logLevel });
  try {
    const { values, positionals } = parseArgs({
      args: rest,
      options: {
        target: { type: 'string', default: 'local' }, count: { type: 'string' }, force: { type: 'boolean', default: false }, reconcile: { type: 'boolean', default: false },
        sku: { type: 'string', multiple: true }, all: { type: 'boolean', default: false }, set: { type: 'string', multiple: true }, json: { type: 'boolean', default: false },
        draft: { type: 'boolean', default: false }, ttl: { type: 'string' },
      },
      strict: true, allowPositionals: command === 'publish' || command === 'preview-url',
    });
    const out = createOutput(values.json ?? false);
    if (command === 'preview-url' && positionals.length > 1) throw new ConfigError('preview-url', `expected one entry id, got ${positionals.length}: ${positionals.join(' ')}`);
    if (command === 'publish' && positionals.length > 1) throw new ConfigError('publish', `expected one entry id, got ${positionals.length}: ${positionals.join(' ')} (quote a value with spaces: --set title="About us")`);
    switch (command) {
      case 'start': return await runStart(config, logger, out);
      case 'build': return await runBuild(config, logger, values.target === 'aws' ? 'aws' : 'local', out);
      case 'seed': {
        if (values.count !== undefined && !/^\d+$/.test(values.count)) throw new ConfigError('--count', `expected a non-negative whole number, got ${JSON.stringify(values.count)}`);
        return await runSeed(config, logger, values.count === undefined ? undefined : Number(values.count), values.force ?? false, out);
      }
      case 'serve': return await runServe(config, logger, out);
      case 'replay': return await runReplay(config, out);
      case 'feeds': return await runFeeds(config, out);
      case 'pdfs': return await runPdfs(config, values.sku ?? [], values.all ?? false, out);
      case 'publish': return await runPublish(config, positionals[0], values.set ?? [], out, { draft: values.draft ?? false });
      case 'preview-url': {
        if (values.ttl !== undefined && !/^\d{1,8}$/.test(values.ttl)) throw new ConfigError('--ttl', `expected seconds as a whole number, got ${JSON.stringify(values.ttl)}`);
        return await runPreviewUrl(config, positionals[0], values.ttl === undefined ? undefined : Number(values.ttl), out, values.target === 'aws' ? 'aws' : 'local');
      }
      case 'rebuild':
        if (!values.reconcile) throw new ConfigError('--reconcile', 'is the only rebuild mode (targeted rebuilds run by themselves on every change)');
        return await runReconcile(config, out);
      default:
        process.stderr.write(`restatic: unknown command "${command}"\n\n${USAGE}\n`);
        return 2;
    }
  } catch (error) {
    const usage = error instanceof ConfigError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS');
    // A usage error is the person's to fix: one line for them. A failure is also logged, for machines.
    if (!usage) logger.error(`${command} failed`, { error });
    process.stderr.write(`restatic ${command}: ${error instanceof RestaticError || usage ? (error as Error).message : String((error as Error).stack ?? error)}\n`);
    return usage ? 2 : 1;
  }
}
