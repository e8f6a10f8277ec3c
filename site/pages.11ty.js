// Every page of the site: Eleventy paginates over the page specs the site model produced
// (`restatic.pages`, one spec per output) and writes each to its URL; the page's layout
// (`_includes/layouts/<layout>.njk`) renders it.
import { render } from './lib/nunjucks.js';

export default class Pages {
  data() {
    return {
      pagination: { data: 'restatic.pages', size: 1, alias: 'spec' },
      permalink: (data) => data.spec.url,
      eleventyExcludeFromCollections: true,
    };
  }

  async render(data) {
    try {
      const site = data.restatic.sites[data.spec.market];
      if (!site) throw new Error(`no shell for market ${JSON.stringify(data.spec.market)}`);
      return await render(`layouts/${data.spec.layout}.njk`, { restatic: { ...data.restatic, site }, spec: data.spec, t: site.t });
    } catch (error) {
      // Eleventy's own message names only this template: name the page that failed.
      throw new Error(`page ${data.spec.url} (layout ${data.spec.layout}): ${error.message}`, { cause: error });
    }
  }
}
