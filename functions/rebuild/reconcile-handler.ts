/**
 * Lambda: scheduled reconciliation (EventBridge Scheduler). Diffs the catalog against the live
 * site's state and re-syncs content, then queues what events missed on the FIFO changes queue — the
 * rebuild worker runs it, so a reconciliation never interleaves with a rebuild — and asks the PDF
 * worker to check every PDF's data version.
 */
import { catalog, changes, pdfJobs, roots, store } from '../compose/aws.js';
import { readAwsConfig } from '../compose/config.js';
import { lambdaHandler, observability } from '../compose/lambda.js';
import { runReconciliation } from './reconcile.js';

const config = readAwsConfig();
const o = observability('restatic-reconcile');
const deps = { catalog: catalog(config), store: store(config), roots: roots(config), changes: changes(config), pdfJobs: pdfJobs(config), logger: o.logger };

export const handler = lambdaHandler(o, () => runReconciliation(deps, new Date()));
