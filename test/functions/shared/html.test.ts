import { describe, expect, it } from 'vitest';
import { decodeEntities, htmlToText, jsonForScript, sanitizeLightHtml } from '../../../functions/shared/build/html.js';
import { formatMoney, toDecimalString } from '../../../functions/shared/build/money.js';
import { isSafeHref, renderRichText } from '../../../functions/shared/content/rich-text.js';
import { toSlug } from '../../../functions/shared/slug.js';
import { hyperlinkNode, paragraph, richDoc } from '../../fixtures/content.js';

describe('sanitizeLightHtml', () => {
  it.each([
    ['<p>Hello <strong>world</strong></p>', '<p>Hello <strong>world</strong></p>'],
    ['<p onclick="x()">a</p>', '<p>a</p>'],
    ['<script>alert(1)</script>ok', 'ok'],
    ['<img src=x onerror=alert(1)>text', 'text'],
    ['<ul><li>open', '<ul><li>open</li></ul>'],
    ['a </p> b', 'a  b'],
    ['Tom &amp; Jerry &lt;3', 'Tom &amp; Jerry &lt;3'],
    ['5 < 6 & "q"', '5 &lt; 6 &amp; &quot;q&quot;'],
    ['<a href="javascript:alert(1)">x</a>', 'x'],
  ])('%s → %s', (input, expected) => {
    expect(sanitizeLightHtml(input)).toBe(expected);
  });
});

describe('text helpers', () => {
  it('decodes entities exactly once', () => {
    // &#0; is U+FFFD, as HTML (and every browser) reads it.
    expect(decodeEntities('&amp;amp; &nbsp;&#x1F600;&#0;')).toBe('&amp; \u00a0😀\ufffd');
  });

  it('decodes every named entity HTML knows, not a short list', () => {
    expect(decodeEntities('Caf&eacute; &Ouml;l &frac12; &rarr; &spades; &#233;&#xE9;')).toBe('Café Öl ½ → ♠ éé');
  });

  it('turns light HTML into plain text', () => {
    expect(htmlToText('<p>A&amp;B</p><p>C</p><script>x</script>')).toBe('A&B C');
  });

  it('keeps JSON-LD from closing its script element', () => {
    const json = jsonForScript({ name: '</script><script>alert(1)</script>' });
    expect(json).not.toContain('</script>');
    expect(JSON.parse(json)).toEqual({ name: '</script><script>alert(1)</script>' });
  });

  it('slugifies accents, German and traversal', () => {
    expect(['Crête Ü', 'Straße', '../../x', '%2e%2e%2fx', 'ÆØ'].map(toSlug)).toEqual(['crete-u', 'strasse', 'x', 'x', 'aeo']);
  });
});

describe('money', () => {
  it.each([
    [12999, 'USD', '129.99', '$129.99'],
    [5, 'USD', '0.05', '$0.05'],
    [1500, 'JPY', '1500', '￥1,500'],
    [11999, 'EUR', '119.99', '119,99 €'],
  ])('%i %s', (minor, currency, decimal, display) => {
    expect(toDecimalString(minor, currency)).toBe(decimal);
    expect(formatMoney(minor, currency).replace(/\u00a0/g, ' ')).toBe(display);
  });
});

describe('rich text', () => {
  const ctx = { entry: () => undefined, asset: () => undefined, urlOf: () => undefined, titleOf: () => '', field: () => undefined, track: () => {} };

  it.each(['javascript:alert(1)', 'JaVaScRiPt:alert(1)', 'java\tscript:alert(1)', ' javascript:x', 'data:text/html,<b>', 'vbscript:x'])('never links %j', (uri) => {
    // Act
    const html = renderRichText(richDoc(paragraph(hyperlinkNode(uri, 'click'))), ctx);
    // Assess
    expect(isSafeHref(uri)).toBe(false);
    expect(html).toBe('<p>click</p>');
  });

  it('links safe schemes and escapes the URL', () => {
    const html = renderRichText(richDoc(paragraph(hyperlinkNode('https://example.com/?a=1&b="2"', 'ok'))), ctx);
    expect(html).toBe('<p><a href="https://example.com/?a=1&amp;b=&quot;2&quot;" rel="noopener">ok</a></p>');
  });

  it('renders a malformed document as nothing instead of failing', () => {
    expect(renderRichText({ nodeType: 'document', data: {}, content: [{ nodeType: 'nonsense', data: {} }] }, ctx)).toBe('');
  });
});
