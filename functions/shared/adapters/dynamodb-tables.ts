/** Creating a table where none exists yet: the local stack and tests (in AWS the stack creates them). */
import { CreateTableCommand, DescribeTableCommand, ResourceNotFoundException, type CreateTableCommandInput, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ObjectStoreError } from '../errors.js';

/** Creates the table unless it exists, then waits until it is ACTIVE (a CREATING table answers "not found" to reads). */
export async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput & { TableName: string }): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(new CreateTableCommand(input));
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName: input.TableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new ObjectStoreError(`Expected DynamoDB table ${input.TableName} to become ACTIVE, it did not within 2 s`, { retryable: true });
}
