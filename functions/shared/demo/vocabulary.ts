/** Fixed vocabularies of the demo store (categories, brands, colours): shared by catalog and space. */

export interface DemoCategory {
  slug: string;
  title: string;
  titleDe: string;
  code: string;
  googleProductCategory: string;
  productType: string;
  nouns: string[];
  sizes: string[];
  priceRange: [number, number];
  weight: [number, number];
}

const c = (
  slug: string, title: string, titleDe: string, code: string, gpc: string, productType: string,
  nouns: string[], sizes: string[], priceRange: [number, number], weight: [number, number],
): DemoCategory => ({ slug, title, titleDe, code, googleProductCategory: gpc, productType, nouns, sizes, priceRange, weight });

const SHOE = ['39', '40', '41', '42', '43', '44', '45', '46'];
const APPAREL = ['XS', 'S', 'M', 'L', 'XL'];

export const DEMO_CATEGORIES: DemoCategory[] = [
  c('running-shoes', 'Running Shoes', 'Laufschuhe', 'RUN', '187', 'Shoes > Running', ['Trail Runner', 'Road Racer', 'Tempo Trainer', 'Fell Flyer'], SHOE, [7999, 19999], [500, 900]),
  c('hiking-boots', 'Hiking Boots', 'Wanderschuhe', 'HIK', '187', 'Shoes > Hiking', ['Summit Boot', 'Ridge Mid', 'Trekker GTX', 'Scree Walker'], SHOE, [11999, 29999], [900, 1600]),
  c('rain-jackets', 'Rain Jackets', 'Regenjacken', 'RNJ', '5598', 'Apparel > Jackets > Rain', ['Storm Shell', 'Drizzle Anorak', 'Monsoon Pro Shell'], APPAREL, [8999, 39999], [250, 600]),
  c('insulated-jackets', 'Insulated Jackets', 'Isolationsjacken', 'INS', '5598', 'Apparel > Jackets > Insulated', ['Down Hoody', 'Synthetic Parka', 'Belay Jacket'], APPAREL, [12999, 44999], [300, 900]),
  c('fleece', 'Fleece', 'Fleece', 'FLC', '5598', 'Apparel > Midlayers', ['Grid Fleece', 'Pile Pullover', 'Polar Zip'], APPAREL, [4999, 12999], [250, 500]),
  c('base-layers', 'Base Layers', 'Funktionswäsche', 'BSL', '5322', 'Apparel > Base Layers', ['Merino Crew', 'Wool Leggings', 'Zip Neck'], APPAREL, [3999, 9999], [120, 300]),
  c('backpacks', 'Backpacks', 'Rucksäcke', 'BPK', '100', 'Bags > Backpacks', ['Daypack 22', 'Alpine 35', 'Expedition 65', 'Fastpack 28'], ['S', 'M', 'L'], [6999, 34999], [600, 2200]),
  c('tents', 'Tents', 'Zelte', 'TNT', '1013', 'Camping > Tents', ['Solo Shelter', 'Dome 2', 'Tunnel 3', 'Basecamp 4'], ['1P', '2P', '3P', '4P'], [14999, 79999], [900, 4800]),
  c('sleeping-bags', 'Sleeping Bags', 'Schlafsäcke', 'SLP', '1014', 'Camping > Sleeping Bags', ['Down Bag −5°', 'Summer Quilt', 'Expedition Bag −20°'], ['Regular', 'Long'], [9999, 49999], [600, 1800]),
  c('sleeping-pads', 'Sleeping Pads', 'Isomatten', 'PAD', '1014', 'Camping > Sleeping Pads', ['Air Pad', 'Foam Mat', 'Self-Inflating Pad'], ['Regular', 'Wide'], [3999, 19999], [300, 900]),
  c('headlamps', 'Headlamps', 'Stirnlampen', 'HDL', '2476', 'Lighting > Headlamps', ['Headlamp 400', 'Night Runner 900', 'Cave Beam 1200'], [], [2999, 14999], [60, 200]),
  c('water-bottles', 'Water Bottles', 'Trinkflaschen', 'BTL', '2610', 'Hydration > Bottles', ['Steel Bottle 0.75 L', 'Soft Flask 500', 'Filter Bottle'], [], [1499, 4999], [90, 400]),
  c('trekking-poles', 'Trekking Poles', 'Trekkingstöcke', 'POL', '499', 'Hiking > Poles', ['Carbon Poles', 'Z-Fold Poles', 'Alu Poles'], ['110 cm', '120 cm', '130 cm'], [4999, 17999], [350, 600]),
  c('climbing-harnesses', 'Climbing Harnesses', 'Klettergurte', 'HRN', '7059', 'Climbing > Harnesses', ['Crag Harness', 'Alpine Harness', 'Gym Harness'], APPAREL, [4999, 12999], [280, 450]),
  c('ropes', 'Ropes', 'Seile', 'ROP', '7059', 'Climbing > Ropes', ['Dynamic 9.5 mm', 'Half Rope 8.1 mm', 'Static 10 mm'], ['50 m', '60 m', '70 m'], [12999, 32999], [3000, 4500]),
  c('camp-stoves', 'Camp Stoves', 'Campingkocher', 'STV', '1016', 'Camping > Cooking', ['Canister Stove', 'Multi-Fuel Stove', 'Jet Boiler'], [], [3999, 19999], [80, 600]),
  c('cookware', 'Cookware', 'Kochgeschirr', 'CKW', '1016', 'Camping > Cooking', ['Titanium Pot 750', 'Cook Set 2P', 'Mug 450'], [], [1999, 8999], [100, 700]),
  c('sunglasses', 'Sunglasses', 'Sonnenbrillen', 'SUN', '178', 'Accessories > Eyewear', ['Glacier Glasses', 'Trail Shades', 'Photochromic Sport'], [], [4999, 24999], [25, 50]),
  c('gloves', 'Gloves', 'Handschuhe', 'GLV', '170', 'Apparel > Gloves', ['Liner Gloves', 'Mountain Mitts', 'Via Ferrata Gloves'], APPAREL, [1999, 11999], [60, 250]),
  c('socks', 'Socks', 'Socken', 'SCK', '209', 'Apparel > Socks', ['Hiking Socks', 'Run Socks', 'Expedition Socks'], ['S', 'M', 'L'], [999, 2999], [40, 90]),
];

/** What the demo copy says of a product, per category: a harness has no sole, a stove no seams. */
export const DEMO_FEATURES: Record<string, readonly string[]> = {
  'running-shoes': ['a breathable mesh upper', 'a grippy sole for wet rock', 'a cushioned, responsive midsole', 'a rock plate under the forefoot'],
  'hiking-boots': ['a waterproof membrane', 'a grippy sole for wet rock', 'ankle support for loose scree', 'a resoleable welt'],
  'rain-jackets': ['seams taped against driving rain', 'a helmet-compatible hood', 'pit zips for steep climbs', 'a jacket that packs into its own pocket'],
  'insulated-jackets': ['warmth that holds when damp', 'a baffled, draught-free front', 'a jacket that packs into its own pocket', 'recycled insulation'],
  fleece: ['a grid lining that breathes on the climb', 'a high collar against the wind', 'recycled fibres', 'a snug, adjustable fit'],
  'base-layers': ['merino that does not hold odours', 'flat seams that do not chafe', 'a snug fit under a pack', 'fabric that dries overnight'],
  backpacks: ['a ventilated back panel', 'a hip belt that carries the load', 'a lid pocket for the day\'s essentials', 'a weight that disappears on long days'],
  tents: ['a pitch that survives a storm', 'two doors and two porches', 'a flysheet that pitches first in the rain', 'a weight that disappears on long days'],
  'sleeping-bags': ['a hood that seals in warmth', 'a full-length two-way zip', 'down with a responsible-down certificate', 'a compression sack'],
  'sleeping-pads': ['an insulation rating for frozen ground', 'a quiet, crinkle-free surface', 'a valve that inflates in a few breaths', 'a patch kit in the sack'],
  headlamps: ['a red light that keeps night vision', 'a rechargeable battery', 'a beam that dims as the battery fades', 'a lock against switching on in the pack'],
  'water-bottles': ['a leak-proof lid', 'a taste-free lining', 'a mouth wide enough for ice', 'a body that survives a drop on rock'],
  'trekking-poles': ['flick locks that hold in the cold', 'cork grips', 'tips that swap for rubber feet', 'a fold that fits a daypack'],
  'climbing-harnesses': ['four gear loops', 'adjustable leg loops', 'a padded waist belt', 'a belay loop with a wear indicator'],
  ropes: ['a dry treatment', 'a bicolour middle mark', 'a sheath that shrugs off sharp edges', 'a supple hand that ties clean knots'],
  'camp-stoves': ['a flame that simmers', 'a piezo ignition', 'a windshield that folds away', 'a pot support for wide pans'],
  cookware: ['titanium that weighs next to nothing', 'a lid that doubles as a strainer', 'folding handles', 'pots that nest around a gas canister'],
  sunglasses: ['category 4 lenses for glaciers', 'side shields', 'grippy temple tips', 'lenses that shed salt and sweat'],
  gloves: ['touchscreen fingertips', 'a leather palm for ropes', 'a cuff that seals over a jacket', 'liners that dry overnight'],
  socks: ['merino that does not hold odours', 'cushioning under heel and toe', 'a seamless toe', 'a fit that does not slip in the boot'],
};

/** Brands: invented, with some accented and non-Latin names on purpose (escaping and fonts). */
export const DEMO_BRANDS = [
  'Acme Outdoor', 'Nordwand', 'Alpenglow', 'Vértice', 'Ζέφυρος', 'Сибирь', '山岳 Gear', 'Fjällgrund', 'Höhenweg',
  'Cumbre', 'Løvfall', 'Brume & Co.', 'Kestrel', 'Tarn', 'Scree Works', 'Ridgeback', 'Glacier Bay', 'Montaña Azul',
  'Páramo Peak', 'Skarv', 'Tindur', 'Orographic', 'Bivouac', 'Cairn Supply', 'Névé', 'Col du Loup', 'Ведмідь',
  'Étoile Polaire', 'Krummholz', 'Saddleback',
];

export const COLOR_NAMES: Record<string, { en: string; de: string; code: string }> = {
  black: { en: 'Black', de: 'Schwarz', code: 'BLK' }, white: { en: 'White', de: 'Weiß', code: 'WHT' }, red: { en: 'Red', de: 'Rot', code: 'RED' },
  blue: { en: 'Blue', de: 'Blau', code: 'BLU' }, green: { en: 'Green', de: 'Grün', code: 'GRN' }, orange: { en: 'Orange', de: 'Orange', code: 'ORG' },
  grey: { en: 'Grey', de: 'Grau', code: 'GRY' }, yellow: { en: 'Yellow', de: 'Gelb', code: 'YLW' }, purple: { en: 'Purple', de: 'Lila', code: 'PRP' },
  teal: { en: 'Teal', de: 'Petrol', code: 'TEL' },
};

/** Titles in other scripts: a store ships to many markets, and its pages, feeds and PDFs must cope. */
/** A title in another language or script for a few products of each category, saying what they are. */
export const FOREIGN_TITLES: Record<string, string> = {
  'running-shoes': 'Chaussure de trail légère', 'hiking-boots': 'Треккинговые ботинки', 'rain-jackets': 'Горная куртка',
  'insulated-jackets': 'ダウンジャケット', fleece: 'Polaire chaude', 'base-layers': 'Μάλλινο ισοθερμικό', backpacks: 'Ορειβατικό σακίδιο',
  tents: 'Σκηνή δύο ατόμων', 'sleeping-bags': 'Saco de dormir ultraligero', 'sleeping-pads': 'Esterilla aislante',
  headlamps: '登山用ヘッドランプ', 'water-bottles': 'Бутылка для воды', 'trekking-poles': 'Bastones de trekking',
  'climbing-harnesses': 'Arnés de escalada', ropes: 'Corde dynamique', 'camp-stoves': 'Походная горелка',
  cookware: 'Κατσαρόλα τιτανίου', sunglasses: '山岳用サングラス', gloves: 'Gants de montagne', socks: 'Wandersocken',
};
