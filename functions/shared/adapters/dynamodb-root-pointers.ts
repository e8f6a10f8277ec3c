/**
 * Root pointers in a DynamoDB table (partition key `document`): one small item per document
 * (`{ document, key, version }`), swapped by a conditional put on its version, so a commit made
 * from a stale read fails instead of overwriting a newer one. The root objects themselves stay in
 * the bucket (content-addressed), so the item never nears DynamoDB's 400 KB limit.
 */
import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ObjectStoreError, StateConflictError, isTransientAwsError } from '../errors.js';
import type { RootPointers } from '../ports.js';
import { ensureTable } from './dynamodb-tables.js';

export interface DynamoDbRootPointersOptions {
  table: string;
  client: DynamoDBClient;
}

export function createDynamoDbRootPointers({ table, client }: DynamoDbRootPointersOptions): RootPointers {
  const doc = DynamoDBDocumentClient.from(client);
  const fail = (action: string, document: string, error: unknown) => new ObjectStoreError(
    `DynamoDB ${action} of the ${document} root pointer in ${table} failed: ${(error as Error).message}`, { cause: error, retryable: isTransientAwsError(error) });
  return {
    async get(document) {
      try {
        // Strongly consistent: the pointer is the commit, a stale read would plan from an old root.
        const out = await doc.send(new GetCommand({ TableName: table, Key: { document }, ConsistentRead: true }));
        const item = out.Item as { key?: unknown; version?: unknown } | undefined;
        if (!item) return undefined;
        if (typeof item.key !== 'string' || typeof item.version !== 'number') throw new ObjectStoreError(`Expected the ${document} root pointer in ${table} to hold a key and a numeric version, got ${JSON.stringify(item)}`);
        return { key: item.key, version: String(item.version) };
      } catch (error) {
        throw error instanceof ObjectStoreError ? error : fail('read', document, error);
      }
    },
    async swap(document, key, expected) {
      const version = expected === undefined ? 1 : Number(expected) + 1;
      try {
        await doc.send(new PutCommand({
          TableName: table,
          Item: { document, key, version, committedAt: new Date().toISOString() },
          ...(expected === undefined
            ? { ConditionExpression: 'attribute_not_exists(#d)', ExpressionAttributeNames: { '#d': 'document' } }
            : { ConditionExpression: '#v = :expected', ExpressionAttributeNames: { '#v': 'version' }, ExpressionAttributeValues: { ':expected': Number(expected) } }),
        }));
        return String(version);
      } catch (error) {
        if (error instanceof ConditionalCheckFailedException) {
          throw new StateConflictError(`Expected the ${document} root at version ${expected ?? '(none)'} when committing, found another run's commit: re-read and redo`, { cause: error });
        }
        throw fail('swap', document, error);
      }
    },
  };
}

/** Creates the pointer table when missing (the local stack and tests; in AWS the stack creates it). */
export function ensureRootPointersTable(client: DynamoDBClient, table: string): Promise<void> {
  return ensureTable(client, {
    TableName: table,
    AttributeDefinitions: [{ AttributeName: 'document', AttributeType: 'S' }],
    KeySchema: [{ AttributeName: 'document', KeyType: 'HASH' }],
    BillingMode: 'PAY_PER_REQUEST',
  });
}
