/**
 * The bundled demo Contentful space, built as a `contentful-export` file (CMA shape, all locales).
 * `npm run demo:space` writes it to `space.export.json`; a test keeps the file and this code equal.
 */
import type { ContentEntity, ContentfulExport, RichNode } from '../content/types.js';
import { CMS_IMAGES, cmsImage } from './images.js';
import { demoGroup } from './products.js';
import { DEMO_CATEGORIES } from './vocabulary.js';

export const DEMO_SPACE_ID = 'restatic-demo';
export const DEMO_ENVIRONMENT = 'master';
const EPOCH = Date.UTC(2026, 9, 1);

const link = <T extends string>(linkType: T, id: string) => ({ sys: { type: 'Link' as const, linkType, id } });
const text = (value: string, marks: string[] = []): RichNode => ({ nodeType: 'text', value, marks: marks.map((type) => ({ type })), data: {} });
const para = (...content: RichNode[]): RichNode => ({ nodeType: 'paragraph', data: {}, content });
const heading = (value: string): RichNode => ({ nodeType: 'heading-2', data: {}, content: [text(value)] });
const doc = (...content: RichNode[]): RichNode => ({ nodeType: 'document', data: {}, content });
const hyperlink = (uri: string, value: string): RichNode => ({ nodeType: 'hyperlink', data: { uri }, content: [text(value)] });
const entryLink = (id: string, value: string): RichNode => ({ nodeType: 'entry-hyperlink', data: { target: link('Entry', id) }, content: [text(value)] });
const embedEntry = (id: string): RichNode => ({ nodeType: 'embedded-entry-block', data: { target: link('Entry', id) }, content: [] });
const embedAsset = (id: string): RichNode => ({ nodeType: 'embedded-asset-block', data: { target: link('Asset', id) }, content: [] });
const list = (...items: string[]): RichNode => ({
  nodeType: 'unordered-list', data: {}, content: items.map((item) => ({ nodeType: 'list-item', data: {}, content: [para(text(item))] })),
});

function sys(id: string, type: 'Entry' | 'Asset', index: number, contentType?: string) {
  const at = new Date(EPOCH + index * 3_600_000).toISOString();
  return {
    space: link('Space', DEMO_SPACE_ID),
    id,
    type,
    createdAt: at,
    updatedAt: at,
    environment: link('Environment', DEMO_ENVIRONMENT),
    publishedVersion: 1,
    publishedAt: at,
    firstPublishedAt: at,
    publishedCounter: 1,
    version: 2,
    ...(contentType ? { contentType: link('ContentType', contentType) } : {}),
  };
}

const en = <T>(value: T) => ({ 'en-US': value });
const both = <T>(value: T, de: T) => ({ 'en-US': value, 'de-DE': de });

type FieldDef = { id: string; name: string; type: string; localized?: boolean; required?: boolean; linkType?: string; items?: object; validations?: object[] };
const field = (id: string, type: string, extra: Partial<FieldDef> = {}): FieldDef => ({ id, name: id, type, localized: false, required: false, ...extra });

const CONTENT_TYPES: Array<{ id: string; displayField: string; fields: FieldDef[] }> = [
  { id: 'siteSettings', displayField: 'siteName', fields: [
    field('siteName', 'Symbol', { required: true }),
    field('navigation', 'Array', { items: { type: 'Link', linkType: 'Entry', validations: [{ linkContentType: ['category', 'page'] }] } }),
    field('featuredSkus', 'Array', { items: { type: 'Symbol' } }),
    field('homeIntro', 'RichText', { localized: true }),
  ] },
  { id: 'category', displayField: 'title', fields: [field('title', 'Symbol', { required: true, localized: true }), field('slug', 'Symbol', { required: true }), field('description', 'RichText', { localized: true })] },
  { id: 'page', displayField: 'title', fields: [field('title', 'Symbol', { required: true, localized: true }), field('slug', 'Symbol', { required: true }), field('body', 'RichText', { localized: true })] },
  { id: 'blogPost', displayField: 'title', fields: [
    field('title', 'Symbol', { required: true }), field('slug', 'Symbol', { required: true }), field('body', 'RichText'),
    field('author', 'Link', { linkType: 'Entry' }), field('publishDate', 'Date'), field('heroImage', 'Link', { linkType: 'Asset' }),
  ] },
  { id: 'author', displayField: 'name', fields: [field('name', 'Symbol', { required: true }), field('bio', 'Text')] },
  { id: 'productContent', displayField: 'sku', fields: [field('sku', 'Symbol', { required: true }), field('story', 'RichText', { localized: true })] },
  // Embedded in a page's body: the products a rule picks, sorted (build/model/collections.ts).
  { id: 'collection', displayField: 'title', fields: [
    field('title', 'Symbol', { required: true, localized: true }),
    field('rule', 'Symbol', { required: true, validations: [{ in: ['onSale', 'category', 'brand', 'skus'] }] }),
    field('category', 'Link', { linkType: 'Entry', validations: [{ linkContentType: ['category'] }] }),
    field('brand', 'Symbol'),
    field('skus', 'Array', { items: { type: 'Symbol' } }),
    field('sort', 'Symbol', { validations: [{ in: ['discount', 'priceAsc', 'priceDesc', 'title', 'listed'] }] }),
    field('limit', 'Integer', { validations: [{ range: { min: 1, max: 96 } }] }),
  ] },
];

const AUTHORS = [
  { id: 'author-mara', name: 'Mara Lindqvist', bio: 'Mountain guide and our head of product testing.' },
  { id: 'author-tomas', name: 'Tomás Ortega', bio: 'Ultra runner; writes about shoes & trails.' },
  { id: 'author-yuki', name: 'Yuki Tanaka', bio: 'Climber and camp-cooking enthusiast.' },
];
const POST_TOPICS = [
  'How to layer for a cold summit', 'Choosing your first tent', 'Trail shoes vs. hiking boots', 'Packing list for a hut-to-hut trek',
  'Caring for down jackets', 'Headlamps explained: lumens and beam', 'Five stoves, one pot of pasta', 'Rope care 101',
  'What “waterproof” really means', 'Sleeping warm below zero', 'The ten essentials', 'Picking trekking poles',
];

/** Builds the demo space export (deterministic). */
export function buildDemoSpace(): ContentfulExport {
  const entries: ContentEntity[] = [];
  const assets: ContentEntity[] = [];
  let n = 0;
  const entry = (id: string, contentType: string, fields: ContentEntity['fields']) => entries.push({ sys: sys(id, 'Entry', n++, contentType), fields });

  for (const spec of CMS_IMAGES) {
    const image = cmsImage(spec.name);
    assets.push({
      sys: sys(`asset-${spec.name}`, 'Asset', n++),
      fields: {
        title: en(spec.label),
        description: en(spec.label),
        file: en({ url: `/${image.key}`, fileName: image.key.split('/').pop(), contentType: image.contentType, details: { size: image.body.length, image: { width: 600, height: 600 } } }),
      },
    });
  }

  for (const category of DEMO_CATEGORIES) {
    entry(`category-${category.slug}`, 'category', {
      title: both(category.title, category.titleDe),
      slug: en(category.slug),
      description: both(
        doc(para(text(`Everything for ${category.title.toLowerCase()}: tested by our guides, shipped in a day.`))),
        doc(para(text(`Alles rund um ${category.titleDe}: von unseren Guides getestet.`))),
      ),
    });
  }

  for (const author of AUTHORS) entry(author.id, 'author', { name: en(author.name), bio: en(author.bio) });

  // Mara writes 20 posts: the rebuild bench renames her and expects exactly those pages to change.
  for (let i = 0; i < 30; i++) {
    const topic = POST_TOPICS[i % POST_TOPICS.length]!;
    const title = i < POST_TOPICS.length ? topic : `${topic}, part ${Math.floor(i / POST_TOPICS.length) + 1}`;
    const category = DEMO_CATEGORIES[(i * 7) % DEMO_CATEGORIES.length]!;
    const image = CMS_IMAGES[i % CMS_IMAGES.length]!;
    entry(`post-${i + 1}`, 'blogPost', {
      title: en(title),
      slug: en(title.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '')),
      author: en(link('Entry', i < 20 ? 'author-mara' : AUTHORS[1 + (i % 2)]!.id)),
      publishDate: en(new Date(Date.UTC(2026, 0, 5) + i * 9 * 86_400_000).toISOString().slice(0, 10)),
      heroImage: en(link('Asset', `asset-${image.name}`)),
      body: en(doc(
        para(text('Out on the mountain, the right kit is the difference between a long day and a great one. ')),
        heading('What we learned'),
        list('Start early; the weather turns after noon.', 'Carry one more layer than you think.', 'Test new gear on a short hike first.'),
        embedAsset(`asset-${image.name}`),
        para(text('Browse our '), entryLink(`category-${category.slug}`, category.title.toLowerCase()), text(' or read the '), hyperlink('https://www.example.org/safety', 'mountain safety guide'), text('.')),
      )),
    });
  }

  entry('page-about', 'page', {
    title: both('About us', 'Über uns'),
    slug: en('about'),
    body: en(doc(
      para(text('Restatic Outfitters is a small team of guides and engineers. We sell ', []), text('only', ['bold']), text(' what we have used ourselves.')),
      embedAsset('asset-team'),
      heading('Where to start'),
      embedEntry('category-hiking-boots'),
      embedEntry('category-backpacks'),
    )),
  });
  entry('page-shipping', 'page', {
    title: both('Shipping & returns', 'Versand & Rückgabe'),
    slug: en('shipping'),
    body: en(doc(
      para(text('Orders ship within one working day. Returns are free for 60 days; see our '), entryLink('page-about', 'story'), text('.')),
      list('Standard: 3–5 days', 'Express: next day', 'Free shipping over $100 / 90 €'),
    )),
  });
  // The Black Friday page lists what is on sale at the instant it is built, best discounts first.
  entry('collection-on-sale', 'collection', {
    title: both('On sale now', 'Jetzt im Angebot'),
    rule: en('onSale'),
    sort: en('discount'),
    limit: en(24),
  });
  entry('page-black-friday', 'page', {
    title: en('Black Friday'),
    slug: en('black-friday'),
    body: en(doc(para(text('From 27 November to 1 December, hundreds of products are up to 40% off.')), embedAsset('asset-hero'), embedEntry('collection-on-sale'))),
  });

  const featured: string[] = [];
  for (let g = 0; g < 8; g++) featured.push(demoGroup(g)[0]!.sku);
  for (let g = 0; g < 15; g++) {
    const sku = demoGroup(g * 3)[0]!.sku;
    entry(`story-${sku.toLowerCase()}`, 'productContent', {
      sku: en(sku),
      story: en(doc(
        heading('The story'),
        para(text(`We designed the ${sku} after a season of guiding in the Alps. `), text('Every seam was tested in the rain.', ['italic'])),
        embedAsset('asset-trail'),
      )),
    });
  }

  entry('site-settings', 'siteSettings', {
    siteName: en('Restatic Outfitters'),
    navigation: en([
      ...['running-shoes', 'hiking-boots', 'rain-jackets', 'backpacks', 'tents'].map((slug) => link('Entry', `category-${slug}`)),
      link('Entry', 'page-black-friday'),
      link('Entry', 'page-about'),
    ]),
    featuredSkus: en(featured),
    homeIntro: both(
      doc(para(text('Gear tested by mountain guides. '), entryLink('page-black-friday', 'Black Friday deals'), text(' start 27 November.'))),
      doc(para(text('Ausrüstung, von Bergführern getestet.'))),
    ),
  });

  return {
    contentTypes: CONTENT_TYPES.map((ct, i) => ({ sys: { ...sys(ct.id, 'Entry', i), type: 'ContentType' }, name: ct.id, displayField: ct.displayField, fields: ct.fields })),
    entries,
    assets,
    locales: [
      { name: 'English (United States)', code: 'en-US', default: true, fallbackCode: null },
      { name: 'German (Germany)', code: 'de-DE', default: false, fallbackCode: 'en-US' },
    ],
  };
}
