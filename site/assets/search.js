// The search page: queries the static Pagefind index in the browser (no server), in the page's
// language (Pagefind picks the index by <html lang>), and shows results as listing cards.
const results = document.querySelector('[data-search-results]');
const status = document.querySelector('[data-search-status]');
const input = document.querySelector('#q');

/** Text with Pagefind's <mark> highlights, built as nodes: nothing else of the excerpt becomes markup. */
function excerptNodes(html) {
  const parsed = new DOMParser().parseFromString(`<p>${html}</p>`, 'text/html').body.firstChild;
  const out = document.createElement('p');
  out.className = 'excerpt';
  for (const node of parsed.childNodes) {
    if (node.nodeName === 'MARK') {
      const mark = document.createElement('mark');
      mark.textContent = node.textContent;
      out.append(mark);
    } else out.append(node.textContent);
  }
  return out;
}

function card(data) {
  const li = document.createElement('li');
  li.className = 'card';
  const a = document.createElement('a');
  a.href = data.url;
  if (data.meta.image) {
    const img = document.createElement('img');
    Object.assign(img, { src: data.meta.image, alt: '', width: 300, height: 300, loading: 'lazy', decoding: 'async' });
    a.append(img);
  }
  const title = document.createElement('span');
  title.className = 'card-title';
  title.textContent = data.meta.title ?? data.url;
  a.append(title);
  li.append(a, excerptNodes(data.excerpt ?? ''));
  return li;
}

const say = (template, values) => Object.entries(values).reduce((text, [k, v]) => text.replace(`{${k}}`, v), template);

if (results && status && input) {
  const pagefind = await import(`${results.dataset.bundle}pagefind.js`);
  let latest = 0;
  const run = async (query) => {
    const mine = ++latest;
    const q = query.trim();
    if (!q) {
      results.replaceChildren();
      status.textContent = '';
      return;
    }
    const search = await pagefind.debouncedSearch(q, {}, 150);
    // A newer query was typed meanwhile (debounced searches resolve to null).
    if (!search || mine !== latest) return;
    const found = await Promise.all(search.results.slice(0, 24).map((r) => r.data()));
    if (mine !== latest) return;
    results.replaceChildren(...found.map(card));
    status.textContent = say(found.length ? status.dataset.results : status.dataset.none, { n: String(search.results.length), q });
  };
  const initial = new URLSearchParams(location.search).get('q') ?? '';
  input.value = initial;
  input.addEventListener('input', () => {
    const url = new URL(location.href);
    url.searchParams.set('q', input.value);
    history.replaceState(null, '', url);
    void run(input.value);
  });
  void run(initial);
}
