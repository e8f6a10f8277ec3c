/**
 * The storefront's own words (buttons, labels, headings) per language: editors write the content,
 * these are the chrome around it. Looked up by the locale's language (`de-DE`, `de-AT` → `de`);
 * a language without a catalog gets English. Placeholders in braces (`{n}`) are filled by the
 * templates with Nunjucks' `replace`, after which the result is escaped like any other value.
 */
import type { Product } from '../catalog/product.js';

export interface Messages {
  /** The language's own name, for the market switch. */
  languageName: string;
  skipToContent: string;
  previewBanner: string;
  /** `{entry}`, `{saved}` and `{built}` are replaced. */
  previewReceipt: string;
  previewBuilt: string;
  cart: string;
  cartEmpty: string;
  cartTotal: string;
  checkout: string;
  close: string;
  quantity: string;
  addToCart: string;
  addedToCart: string;
  mainNavigation: string;
  footerNavigation: string;
  home: string;
  journal: string;
  sitemap: string;
  featured: string;
  shopByCategory: string;
  fromTheJournal: string;
  breadcrumb: string;
  productCount: string;
  /** A group card's price when its variants' prices differ; `{price}` is the lowest. */
  priceFrom: string;
  /** A group card's sizes; `{sizes}` is the range. */
  sizesRange: string;
  /** The colour swatches' and picker's name. */
  colourOptions: string;
  /** The size picker's name. */
  sizeOptions: string;
  /** A group card with a variant on sale. */
  saleBadge: string;
  /** A picker option no variant of which can be bought. */
  soldOut: string;
  search: string;
  searchPlaceholder: string;
  /** `{n}` and `{q}` are replaced. */
  searchResults: string;
  /** `{q}` is replaced. */
  searchNone: string;
  searchNeedsScript: string;
  /** An embedded collection with no product in it right now. */
  collectionEmpty: string;
  pageTitle: string;
  pageOf: string;
  pagination: string;
  previous: string;
  next: string;
  prices: string;
  regularPrice: string;
  salePrice: string;
  byBrand: string;
  expected: string;
  variants: string;
  sku: string;
  gtin: string;
  mpn: string;
  condition: string;
  colour: string;
  size: string;
  specSheet: string;
  description: string;
  story: string;
  noImage: string;
  imageView: string;
  /** The product pictures' scrollable region. */
  gallery: string;
  /** A thumbnail's link to its picture; `{n}` is replaced. */
  showView: string;
  byAuthor: string;
  aboutTheAuthor: string;
  notFoundTitle: string;
  notFoundText: string;
  notFoundHome: string;
  notFoundBrowse: string;
  otherStores: string;
  availability: Record<Product['availability'], string>;
  conditions: Record<Product['condition'], string>;
  /** The spec sheets' and the catalog's words. */
  pdf: PdfLabels;
}

export interface PdfLabels {
  specification: string;
  description: string;
  sku: string;
  specificationOf: string;
  price: string;
  priceOnRequest: string;
  was: string;
  sale: string;
  availability: string;
  availableFrom: string;
  identifiers: string;
  details: string;
  category: string;
  model: string;
  productPage: string;
  page: string;
  catalog: string;
  catalogFooter: string;
  catalogSummary: string;
  contents: string;
  contentsContinued: string;
  /** A category's title on its second and later catalog pages. */
  sectionContinued: string;
  otherProducts: string;
  /** The placeholder where a product has no image, or its image cannot be embedded. */
  noImage: string;
}

const EN: Messages = {
  languageName: 'English',
  skipToContent: 'Skip to content',
  previewBanner: 'Preview: drafts as the editors left them, not the live store.',
  previewReceipt: 'Shows entry {entry} as saved {saved} UTC; page built {built} UTC.',
  previewBuilt: 'Page built {built} UTC.',
  cart: 'Cart',
  cartEmpty: 'Your cart is empty.',
  cartTotal: 'Total:',
  checkout: 'Check out',
  close: 'Close',
  quantity: 'Quantity',
  addToCart: 'Add to cart',
  addedToCart: 'Added to your cart.',
  mainNavigation: 'Main',
  footerNavigation: 'Footer',
  home: 'Home',
  journal: 'Journal',
  sitemap: 'Sitemap',
  featured: 'Featured',
  shopByCategory: 'Shop by category',
  fromTheJournal: 'From the journal',
  breadcrumb: 'Breadcrumb',
  productCount: '{n} products',
  priceFrom: 'From {price}',
  sizesRange: 'Sizes {sizes}',
  colourOptions: 'Colours',
  sizeOptions: 'Sizes',
  saleBadge: 'Sale',
  soldOut: 'sold out',
  search: 'Search',
  searchPlaceholder: 'Search the store',
  searchResults: '{n} results for “{q}”',
  searchNone: 'Nothing found for “{q}”.',
  searchNeedsScript: 'Search needs JavaScript; browse the categories instead.',
  collectionEmpty: 'Nothing here right now: check back soon.',
  pageTitle: '{title} – page {n}',
  pageOf: 'Page {n} of {count}',
  pagination: 'Pagination',
  previous: 'Previous',
  next: 'Next',
  prices: 'Prices',
  regularPrice: 'Regular price',
  salePrice: 'Sale price',
  byBrand: 'by {brand}',
  expected: 'expected {date}',
  variants: 'Variants',
  sku: 'SKU',
  gtin: 'GTIN',
  mpn: 'MPN',
  condition: 'Condition',
  colour: 'Colour',
  size: 'Size',
  specSheet: 'Spec sheet (PDF)',
  description: 'Description',
  story: 'Story',
  noImage: 'No image available',
  imageView: '{title}, view {n}',
  gallery: 'Pictures',
  showView: 'Show view {n}',
  byAuthor: 'By {name}',
  aboutTheAuthor: 'About the author',
  notFoundTitle: 'Page not found',
  notFoundText: 'The page you asked for is not here. It may have moved, or the product may be sold out for good.',
  notFoundHome: 'Go to the home page',
  notFoundBrowse: 'or browse a category from the menu.',
  otherStores: 'This page in',
  availability: { in_stock: 'In stock', out_of_stock: 'Out of stock', preorder: 'Pre-order', backorder: 'Backorder' },
  conditions: { new: 'New', refurbished: 'Refurbished', used: 'Used' },
  pdf: {
    specification: 'Product specification', description: 'Description', sku: 'SKU', specificationOf: 'Specification sheet for {sku}', price: 'Price', priceOnRequest: 'Price on request',
    was: 'was {price}', sale: 'Sale {dates}', availability: 'Availability', availableFrom: '{availability} (from {date})', identifiers: 'Identifiers',
    noImage: 'No image', details: 'Details', category: 'Category', model: 'Model', productPage: 'Product page', page: 'Page {n} of {count}',
    catalog: 'Product catalog', catalogFooter: 'catalog', catalogSummary: '{products} products in {categories} categories', contents: 'Contents',
    contentsContinued: 'Contents (continued)', sectionContinued: '{title} (continued)', otherProducts: 'Other products',
  },
};

const DE: Messages = {
  languageName: 'Deutsch',
  skipToContent: 'Zum Inhalt springen',
  previewBanner: 'Vorschau: Entwürfe, wie die Redaktion sie hinterlassen hat, nicht der Live-Shop.',
  previewReceipt: 'Zeigt Eintrag {entry}, gespeichert {saved} UTC; Seite erstellt {built} UTC.',
  previewBuilt: 'Seite erstellt {built} UTC.',
  cart: 'Warenkorb',
  cartEmpty: 'Ihr Warenkorb ist leer.',
  cartTotal: 'Summe:',
  checkout: 'Zur Kasse',
  close: 'Schließen',
  quantity: 'Menge',
  addToCart: 'In den Warenkorb',
  addedToCart: 'Zum Warenkorb hinzugefügt.',
  mainNavigation: 'Hauptmenü',
  footerNavigation: 'Fußzeile',
  home: 'Startseite',
  journal: 'Magazin',
  sitemap: 'Sitemap',
  featured: 'Empfohlen',
  shopByCategory: 'Nach Kategorie einkaufen',
  fromTheJournal: 'Aus dem Magazin',
  breadcrumb: 'Navigationspfad',
  productCount: '{n} Produkte',
  priceFrom: 'ab {price}',
  sizesRange: 'Größen {sizes}',
  colourOptions: 'Farben',
  sizeOptions: 'Größen',
  saleBadge: 'Angebot',
  soldOut: 'ausverkauft',
  search: 'Suche',
  searchPlaceholder: 'Im Shop suchen',
  searchResults: '{n} Ergebnisse für „{q}“',
  searchNone: 'Nichts gefunden für „{q}“.',
  searchNeedsScript: 'Die Suche braucht JavaScript; stöbern Sie stattdessen in den Kategorien.',
  collectionEmpty: 'Gerade nichts dabei: schauen Sie bald wieder vorbei.',
  pageTitle: '{title} – Seite {n}',
  pageOf: 'Seite {n} von {count}',
  pagination: 'Seitennavigation',
  previous: 'Zurück',
  next: 'Weiter',
  prices: 'Preise',
  regularPrice: 'Regulärer Preis',
  salePrice: 'Angebotspreis',
  byBrand: 'von {brand}',
  expected: 'erwartet ab {date}',
  variants: 'Varianten',
  sku: 'Artikelnummer',
  gtin: 'GTIN',
  mpn: 'Herstellernummer',
  condition: 'Zustand',
  colour: 'Farbe',
  size: 'Größe',
  specSheet: 'Datenblatt (PDF)',
  description: 'Beschreibung',
  story: 'Geschichte',
  noImage: 'Kein Bild verfügbar',
  imageView: '{title}, Ansicht {n}',
  gallery: 'Bilder',
  showView: 'Ansicht {n} zeigen',
  byAuthor: 'Von {name}',
  aboutTheAuthor: 'Über die Person',
  notFoundTitle: 'Seite nicht gefunden',
  notFoundText: 'Die gesuchte Seite gibt es hier nicht. Vielleicht ist sie umgezogen, oder das Produkt ist ausverkauft.',
  notFoundHome: 'Zur Startseite',
  notFoundBrowse: 'oder eine Kategorie im Menü wählen.',
  otherStores: 'Diese Seite auf',
  availability: { in_stock: 'Auf Lager', out_of_stock: 'Nicht vorrätig', preorder: 'Vorbestellbar', backorder: 'Nachlieferung' },
  conditions: { new: 'Neu', refurbished: 'Generalüberholt', used: 'Gebraucht' },
  pdf: {
    specification: 'Produktdatenblatt', description: 'Beschreibung', sku: 'Artikelnummer', specificationOf: 'Datenblatt zu {sku}', price: 'Preis', priceOnRequest: 'Preis auf Anfrage',
    was: 'statt {price}', sale: 'Angebot {dates}', availability: 'Verfügbarkeit', availableFrom: '{availability} (ab {date})', identifiers: 'Kennungen',
    noImage: 'Kein Bild', details: 'Details', category: 'Kategorie', model: 'Modell', productPage: 'Produktseite', page: 'Seite {n} von {count}',
    catalog: 'Produktkatalog', catalogFooter: 'Katalog', catalogSummary: '{products} Produkte in {categories} Kategorien', contents: 'Inhalt',
    contentsContinued: 'Inhalt (Fortsetzung)', sectionContinued: '{title} (Fortsetzung)', otherProducts: 'Weitere Produkte',
  },
};

const CATALOGS: Record<string, Messages> = { en: EN, de: DE };

/** The messages for a locale (`de-DE`), by its language; English when there is no catalog for it. */
export function messagesFor(locale: string): Messages {
  return CATALOGS[locale.split('-')[0]!.toLowerCase()] ?? EN;
}

/** Fills `{name}` placeholders (what the templates do with `replace`, for text made in the model). */
export function fill(message: string, values: Record<string, string | number>): string {
  return message.replace(/\{(\w+)\}/g, (all, name: string) => (name in values ? String(values[name]) : all));
}
