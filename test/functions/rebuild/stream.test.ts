import { marshall } from '@aws-sdk/util-dynamodb';
import { describe, expect, it } from 'vitest';
import { changedFields, envelopeFromStreamRecord, forwardStreamBatch } from '../../../functions/rebuild/stream.js';
import { silentLogger } from '../../../functions/shared/logger.js';
import { compareVersions } from '../../../functions/shared/changes/envelope.js';
import { ValidationError } from '../../../functions/shared/errors.js';
import { productItem } from '../../fixtures/products.js';

const record = (eventName: 'INSERT' | 'MODIFY' | 'REMOVE', sequence: string, before?: object, after?: object) => ({
  eventID: 'e1', eventName, dynamodb: {
    Keys: { sku: { S: 'TR2-BLK-42' } }, SequenceNumber: sequence, StreamViewType: 'NEW_AND_OLD_IMAGES' as const,
    ...(before ? { OldImage: marshall(before) as never } : {}), ...(after ? { NewImage: marshall(after) as never } : {}),
  },
});

describe('catalog stream consumer', () => {
  it('turns a MODIFY into an envelope with the sequence number as version and the changed fields', () => {
    // Act
    const envelope = envelopeFromStreamRecord(record('MODIFY', '111300000000000000612345678', productItem(), productItem({ price: { USD: 1 }, stock: 3 })));
    // Assess
    expect(envelope).toMatchObject({ source: 'catalog', kind: 'Product', id: 'TR2-BLK-42', topic: 'Product.MODIFY', version: '111300000000000000612345678', changedFields: ['price', 'stock'] });
  });

  it('turns a REMOVE into a removal with every old field changed', () => {
    const envelope = envelopeFromStreamRecord(record('REMOVE', '5', productItem()));
    expect(envelope.topic).toBe('Product.REMOVE');
    expect(envelope.changedFields).toContain('price');
  });

  it('refuses records without a key or sequence number, naming the field', () => {
    expect(() => envelopeFromStreamRecord({ ...record('MODIFY', '5'), dynamodb: { SequenceNumber: '5' } })).toThrow(ValidationError);
    expect(() => envelopeFromStreamRecord(record('MODIFY', 'abc'))).toThrow(/SequenceNumber|sequence number/);
  });

  it('compares sequence numbers beyond 2^53 exactly', () => {
    expect(compareVersions('111300000000000000612345679', '111300000000000000612345678')).toBe(1);
    expect(compareVersions('9', '10')).toBe(-1);
  });

  it('diffs nested values by content', () => {
    expect(changedFields({ a: { x: 1 }, b: [1] }, { a: { x: 1 }, b: [1, 2], c: 1 })).toEqual(['b', 'c']);
  });

  it('drops a record no attempt could use (logged) without failing it, and queues the good ones in one send with their PDF jobs', async () => {
    // Prepare
    const sends: string[][] = [];
    const jobs: string[] = [];
    const deps = { queue: { send: async (m: Array<{ id: string }>) => { sends.push(m.map((e) => e.id)); } }, pdfJobs: { send: async (m: Array<{ kind: string }>) => { jobs.push(...m.map((j) => j.kind)); } }, logger: silentLogger };
    const event = { Records: [
      record('MODIFY', 'not-a-number', productItem(), productItem({ price: { USD: 1 } })),
      record('MODIFY', '7', productItem(), productItem({ price: { USD: 1 } })),
      { ...record('MODIFY', '8', productItem({ sku: 'TR2-BLK-43' }), productItem({ sku: 'TR2-BLK-43', price: { USD: 2 } })), dynamodb: { ...record('MODIFY', '8').dynamodb, Keys: { sku: { S: 'TR2-BLK-43' } } } },
    ] };
    // Act
    const response = await forwardStreamBatch(deps as never, event as never);
    // Assess: one send, so the queue can pack the batch into one message
    expect(response.batchItemFailures).toEqual([]);
    expect(sends).toEqual([['TR2-BLK-42', 'TR2-BLK-43']]);
    expect(jobs).toContain('sheet');
    expect(jobs).toContain('catalog');
  });

  it('reports every usable record failed when the queue refuses, so the stream retries them', async () => {
    // Prepare
    const deps = { queue: { send: async () => { throw new Error('SQS throttled'); } }, pdfJobs: { send: async () => undefined }, logger: silentLogger };
    const event = { Records: [record('MODIFY', 'bad', productItem()), record('MODIFY', '7', productItem(), productItem({ price: { USD: 1 } })), record('MODIFY', '9', productItem(), productItem({ price: { USD: 3 } }))] };
    // Act
    const response = await forwardStreamBatch(deps as never, event as never);
    // Assess
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: '7' }, { itemIdentifier: '9' }]);
  });
});
