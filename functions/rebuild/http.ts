/** API Gateway HTTP API (payload v2) ⇄ the webhook core. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { receiveWebhook, type WebhookDeps } from './webhook.js';

export function createWebhookHandler(deps: WebhookDeps) {
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    // The signature covers the bytes Contentful sent: undo API Gateway's base64 for binary-ish types.
    const body = event.body === undefined ? '' : event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
    // The path as Contentful called it: the stage prefix is part of rawPath for named stages.
    const path = `${event.rawPath}${event.rawQueryString ? `?${event.rawQueryString}` : ''}`;
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) headers[k] = v;
    const result = await receiveWebhook(deps, { method: event.requestContext.http.method, path, headers, body });
    return { statusCode: result.status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(result.body) };
  };
}
