// The storefront's cart: kept in the visitor's browser (localStorage, one cart per market), handed
// to the store's checkout as `items=SKU:QTY,…&currency=…&market=…`. Nothing about the visitor is
// sent to or stored by Restatic. Without this script, "Add to cart" still hands the one item over.
const root = document.documentElement;
const market = root.dataset.market || 'default';
const checkout = root.dataset.checkout;
const KEY = `restatic-cart:${market}`;
const MAX_QTY = 99;

const read = () => {
  try {
    const items = JSON.parse(window.localStorage.getItem(KEY) || '[]');
    return Array.isArray(items) ? items.filter((i) => i && typeof i.sku === 'string' && Number.isInteger(i.qty) && i.qty > 0) : [];
  } catch {
    return [];
  }
};
const write = (items) => {
  try {
    window.localStorage.setItem(KEY, JSON.stringify(items));
  } catch {
    // storage full or disabled: the cart lives as long as the page
  }
  render(items);
};

const format = (minor, currency) => new Intl.NumberFormat(root.lang || undefined, { style: 'currency', currency }).format(minor / 100);
const text = (el, value) => { el.textContent = value; return el; };
const make = (tag, props = {}) => Object.assign(document.createElement(tag), props);

export function checkoutHref(items, currency) {
  const url = new URL(checkout, window.location.href);
  url.searchParams.set('items', items.map((i) => `${i.sku}:${i.qty}`).join(','));
  if (currency) url.searchParams.set('currency', currency);
  url.searchParams.set('market', market);
  return url.href;
}

function render(items) {
  const count = items.reduce((n, i) => n + i.qty, 0);
  for (const el of document.querySelectorAll('[data-cart-count]')) text(el, String(count));
  const button = document.querySelector('[data-cart-open]');
  if (button) button.hidden = false;
  const list = document.querySelector('[data-cart-items]');
  const dialog = document.querySelector('[data-cart]');
  if (!list || !dialog) return;
  list.replaceChildren();
  const currency = items[0]?.currency;
  for (const item of items) {
    const row = make('li');
    row.append(make('a', { href: item.url, textContent: item.title }));
    const qty = make('input', { type: 'number', min: '0', max: String(MAX_QTY), value: String(item.qty), inputMode: 'numeric' });
    qty.setAttribute('aria-label', `${dialog.dataset.quantity} ${item.title}`);
    qty.addEventListener('change', () => {
      const n = Math.max(0, Math.min(MAX_QTY, Number.parseInt(qty.value, 10) || 0));
      write(read().map((i) => (i.sku === item.sku ? { ...i, qty: n } : i)).filter((i) => i.qty > 0));
    });
    row.append(' ', qty, ' ', text(make('span', { className: 'line-total' }), format(item.price * item.qty, item.currency)));
    list.append(row);
  }
  const empty = items.length === 0;
  dialog.querySelector('[data-cart-empty]').hidden = !empty;
  const total = dialog.querySelector('[data-cart-total]');
  total.hidden = empty;
  if (!empty) text(total.querySelector('output'), format(items.reduce((n, i) => n + i.price * i.qty, 0), currency));
  const go = dialog.querySelector('[data-cart-checkout]');
  go.hidden = empty;
  if (!empty) go.href = checkoutHref(items, currency);
}

for (const form of document.querySelectorAll('form[data-add-to-cart]')) {
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const d = form.dataset;
    // The quantity has no name: without this script the form hands over one item.
    const qty = Math.max(1, Math.min(MAX_QTY, Number.parseInt(form.querySelector('[data-qty]')?.value ?? '1', 10) || 1));
    const items = read();
    const found = items.find((i) => i.sku === d.sku);
    if (found) Object.assign(found, { qty: Math.min(MAX_QTY, found.qty + qty), price: Number(d.price), title: d.title });
    else items.push({ sku: d.sku, title: d.title, price: Number(d.price), currency: d.currency, url: d.url, qty });
    write(items);
    const status = form.querySelector('[data-added]');
    if (status) text(status, status.dataset.added);
  });
}

const dialog = document.querySelector('[data-cart]');
document.querySelector('[data-cart-open]')?.addEventListener('click', () => dialog?.showModal());
dialog?.querySelector('[data-cart-close]')?.addEventListener('click', () => dialog.close());
// Another tab changed the cart: show the same.
window.addEventListener('storage', (event) => { if (event.key === KEY) render(read()); });
if (checkout) render(read());
