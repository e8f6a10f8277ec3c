/** The journal: one page per post (newest first) and the `/blog/` index. */
import type { ContentEntity } from '../../content/types.js';
import { dep, type DepKey } from '../deps.js';
import type { ModelContext } from './context.js';

export interface PostSummary {
  entry: ContentEntity;
  url: string;
  title: string;
  publishDate: string;
  authorId: string | undefined;
  author: { name: string; bio: string } | null;
  heroHtml: string;
  deps: Set<DepKey>;
}

/** Adds the post pages and the index; returns the posts, newest first (the home page lists the latest). */
export function addBlogPages(ctx: ModelContext): PostSummary[] {
  const { content } = ctx;
  const posts = content.ofType('blogPost').filter((p) => ctx.urls.has(p.sys.id)).map((post): PostSummary => {
    const deps = new Set<DepKey>([dep.entry(post.sys.id)]);
    const authorRef = content.field<{ sys: { id: string } }>(post, 'author');
    const author = authorRef?.sys?.id ? content.entries.get(authorRef.sys.id) : undefined;
    if (authorRef?.sys?.id) deps.add(dep.entry(authorRef.sys.id));
    const heroRef = content.field<{ sys: { id: string } }>(post, 'heroImage');
    const heroHtml = heroRef?.sys?.id ? ctx.richText({ nodeType: 'document', data: {}, content: [{ nodeType: 'embedded-asset-block', data: { target: heroRef }, content: [] }] }, deps) : '';
    const date = content.field<string>(post, 'publishDate');
    const publishDate = typeof date === 'string' && !Number.isNaN(Date.parse(date)) ? date.slice(0, 10) : '';
    return { entry: post, url: ctx.urls.get(post.sys.id)!, title: ctx.title(post), publishDate, authorId: authorRef?.sys?.id, author: author ? { name: String(content.field(author, 'name') ?? ''), bio: String(content.field(author, 'bio') ?? '') } : null, heroHtml, deps };
  }).sort((a, b) => b.publishDate.localeCompare(a.publishDate) || a.url.localeCompare(b.url));
  for (const post of posts) {
    ctx.add(post.url, 'post', post.title, dep.entry(post.entry.sys.id), () => {
      const bodyHtml = ctx.richText(content.field(post.entry, 'body'), post.deps);
      return { data: { publishDate: post.publishDate, author: post.author, heroHtml: post.heroHtml, bodyHtml, alternates: ctx.alternates(dep.entry(post.entry.sys.id)) }, deps: post.deps };
    });
  }
  ctx.add(ctx.path('/blog/'), 'blog', ctx.t.journal, undefined, () => ({
    data: { posts: summaries(posts), alternates: ctx.alternates('blog') },
    deps: [dep.urlsetOf('blog'), ...posts.flatMap((p) => [dep.entry(p.entry.sys.id), ...(p.authorId ? [dep.entry(p.authorId)] : [])])],
  }), 'blog');
  return posts;
}

/** A post as the index and the home page list it. */
export const summaries = (posts: readonly PostSummary[]) => posts.map((p) => ({ url: p.url, title: p.title, publishDate: p.publishDate, author: p.author?.name ?? '' }));
