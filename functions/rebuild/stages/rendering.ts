/** Stage 4, render: the changed pages through Eleventy, in memory, with the site's assets. */
import { renderPages, type RenderedPage } from '../../shared/build/render.js';
import { loadSiteAssets } from '../../shared/build/site-assets.js';
import type { RunPlan } from './planning.js';

export function renderRun(run: Pick<RunPlan, 'changed' | 'model'>, options: { demoImages: boolean }): Promise<RenderedPage[]> {
  const assets = loadSiteAssets({ demoImages: options.demoImages });
  return renderPages(run.changed, { sites: run.model.sites, css: assets.css, js: assets.js, icon: assets.icon, search: assets.search });
}
